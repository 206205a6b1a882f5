/* tests/test_cluster.c — the cluster state (models/cluster.c): registration
 * and built-in attributes (D1), reserved ports (D2), accounting on reserve
 * and release (docs/ecs-model.md §1.6, D9), totals, statuses (D6–D8), INACTIVE dropping its
 * tasks (D7), and the incremental indexes checked against a recomputation
 * after random operations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_rng.h>

#include "models/cluster.h"
#include "models/cluster_idx.h"
#include "sim/strtab.h"
#include "tests/helpers/tutil.h"

static int32_t add(struct cluster *cl, const char *az, const char *os, int64_t cpu, int64_t mem,
		   const char *stack)
{
	struct inst_attr a[2] = { { "ecs.capability.task-eni", NULL }, { "stack", stack } };
	struct instance_spec s;

	memset(&s, 0, sizeof s);
	s.instance_type = "m5.large";
	s.az = az;
	s.os_type = os;
	s.os_family = strcmp(os, "windows") == 0 ? "WINDOWS_SERVER_2022_FULL" : "LINUX";
	s.cpu_arch = "x86_64";
	s.cpu_units = cpu;
	s.mem_mib = mem;
	s.eni_tasks = 2;
	s.gpus = 1;
	s.attrs = a;
	s.n_attrs = stack ? 2 : 1;
	return cluster_add(cl, &s);
}

static void test_register(void)
{
	struct cluster *cl = cluster_new();
	const uint16_t *p;
	const char *v;
	int32_t i = add(cl, "us-east-1a", "linux", 2048, 7985, "blue");
	int32_t w = add(cl, "us-east-1b", "windows", 4096, 15990, NULL);

	T_EQ(i, 0);
	T_EQ(w, 1);
	T_EQ(cluster_count(cl), 2);
	T_STREQ(cluster_id(cl, 0), "ci-0");
	T_STREQ(cluster_ec2_id(cl, 1), "ci-1");
	T_STREQ(cluster_az(cl, 1), "us-east-1b");
	T_STREQ(cluster_type(cl, 0), "m5.large");
	CU_ASSERT(cluster_attribute(cl, 0, "ecs.availability-zone", &v));
	T_STREQ(v, "us-east-1a");
	CU_ASSERT(cluster_attribute(cl, 0, "ecs.os-type", &v));
	T_STREQ(v, "linux");
	CU_ASSERT(cluster_attribute(cl, 0, "ecs.capability.task-eni", &v));
	CU_ASSERT_PTR_NULL(v);
	CU_ASSERT(cluster_attribute(cl, 0, "stack", &v));
	T_STREQ(v, "blue");
	CU_ASSERT(!cluster_attribute(cl, 1, "stack", &v));
	CU_ASSERT(!cluster_attribute(cl, 1, "nothing", &v));
	/* D2: agent-reserved ports by OS */
	T_EQ(cluster_ports(cl, 0, 0, &p), 5);
	T_EQ(p[0], 22);
	T_EQ(p[4], 51679);
	T_EQ(cluster_ports(cl, 1, 0, &p), 11);
	T_EQ(cluster_ports(cl, 0, 1, &p), 0);
	T_EQ(cluster_status(cl, 0), INST_ACTIVE);
	T_EQ(cluster_agent_connected(cl, 0), 1);
	cluster_free(cl);
}

static void test_accounting(void)
{
	struct cluster *cl = cluster_new();
	static const uint16_t tcp[] = { 80, 8080 }, udp[] = { 53 };
	struct place_req q = { .cpu_units = 512, .mem_mib = 1024, .ports_tcp = tcp, .n_ports_tcp = 2,
			       .ports_udp = udp, .n_ports_udp = 1, .eni = 1, .gpus = 1 };
	struct cluster_totals t;
	const uint16_t *p;
	const char *const *groups;
	uint32_t g = cluster_group(cl, "service:web"), h = cluster_group(cl, "family:x");

	add(cl, "us-east-1a", "linux", 2048, 7985, NULL);
	add(cl, "us-east-1a", "linux", 2048, 7985, NULL);
	cluster_reserve(cl, 0, &q, g);
	T_EQ(cluster_cpu_remaining(cl, 0), 1536);
	T_EQ(cluster_mem_remaining(cl, 0), 6961);
	T_EQ(cluster_gpu_remaining(cl, 0), 0);
	T_EQ(cluster_eni_free(cl, 0), 1);
	T_EQ(cluster_ports(cl, 0, 0, &p), 7);
	T_EQ(p[1], 80);
	T_EQ(cluster_ports(cl, 0, 1, &p), 1);
	T_EQ(cluster_tasks_on(cl, 0), 1);
	T_EQ(cluster_group_tasks_on(cl, 0, g), 1);
	T_EQ(cluster_group_tasks_on(cl, 0, h), 0);
	T_EQ(cluster_task_groups(cl, 0, &groups), 1);
	T_STREQ(groups[0], "service:web");
	cluster_totals(cl, &t);
	T_EQ(t.n_active, 2);
	T_EQ(t.n_registered, 2);
	T_EQ(t.n_used, 1);
	T_EQ(t.cpu_registered, 4096);
	T_EQ(t.cpu_reserved, 512);
	T_EQ(t.mem_reserved, 1024);
	T_EQ(t.tasks, 1);
	/* D9: releasing a task that is not there changes nothing */
	cluster_release(cl, 0, &q, h);
	cluster_release(cl, 1, &q, g);
	cluster_totals(cl, &t);
	T_EQ(t.tasks, 1);
	cluster_release(cl, 0, &q, g);
	T_EQ(cluster_cpu_remaining(cl, 0), 2048);
	T_EQ(cluster_mem_remaining(cl, 0), 7985);
	T_EQ(cluster_ports(cl, 0, 0, &p), 5);
	T_EQ(cluster_eni_free(cl, 0), 2);
	T_EQ(cluster_task_groups(cl, 0, &groups), 0);
	cluster_totals(cl, &t);
	T_EQ(t.n_used, 0);
	T_EQ(t.tasks, 0);
	T_EQ(t.cpu_reserved, 0);
	cluster_free(cl);
}

/* cluster_live and cluster_az_has_placeable against a pass over every
 * instance, on random registrations and status and agent changes (an
 * INACTIVE instance stays so, D7): the live list is the instances not
 * INACTIVE in registration order; a zone has a placeable instance when one
 * there is ACTIVE with its agent connected.  Read at random moments, so
 * the list is compacted after one or many losses. */
static void test_live_oracle(void)
{
	static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d" };
	static const enum inst_status sts[] = { INST_ACTIVE, INST_DRAINING, INST_INACTIVE };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	long bad = 0, reads = 0, max_n = 0;

	gsl_rng_set(r, 11);
	for (int round = 0; round < 200; round++) {
		struct cluster *cl = cluster_new();

		for (int step = 0; step < 300; step++) {
			int32_t n = cluster_count(cl), nl, k = 0;
			unsigned long op = gsl_rng_uniform_int(r, 10);

			if (op < 3 || n == 0) {
				add(cl, azs[gsl_rng_uniform_int(r, 3)], "linux", 2048, 7985, NULL);
			} else if (op < 7) {
				cluster_set_status(cl, (int32_t)gsl_rng_uniform_int(r, (unsigned long)n),
						   sts[gsl_rng_uniform_int(r, 3)]);
			} else if (op < 8) {
				cluster_set_agent_connected(cl, (int32_t)gsl_rng_uniform_int(r, (unsigned long)n),
							    (int)gsl_rng_uniform_int(r, 2));
			} else {
				const int32_t *lv = cluster_live(cl, &nl);

				reads++;
				for (int32_t i = 0; i < n; i++)
					if (cluster_status(cl, i) != INST_INACTIVE && (k >= nl || lv[k++] != i))
						bad++;
				if (k != nl)
					bad++;
				for (int a = 0; a < 4; a++) {
					int want = 0;

					for (int32_t i = 0; i < n; i++)
						want |= cluster_status(cl, i) == INST_ACTIVE && cluster_agent_connected(cl, i) &&
							strcmp(cluster_az(cl, i), azs[a]) == 0;
					bad += cluster_az_has_placeable(cl, azs[a]) != want;
				}
				if (n > max_n)
					max_n = n;
			}
		}
		cluster_free(cl);
	}
	gsl_rng_free(r);
	T_EQ(bad, 0);
	CU_ASSERT(reads > 10000);
	CU_ASSERT(max_n > 50);
}

static void test_statuses(void)
{
	struct cluster *cl = cluster_new();
	struct place_req q = { .cpu_units = 100, .mem_mib = 200 };
	struct cluster_totals t;
	uint32_t g = cluster_group(cl, "service:web");
	int a;

	add(cl, "us-east-1a", "linux", 2048, 7985, "blue");
	add(cl, "us-east-1b", "linux", 2048, 7985, "blue");
	a = cluster_spread_attr(cl, "stack");
	cluster_reserve(cl, 0, &q, g);
	cluster_reserve(cl, 0, &q, g);
	T_EQ(cluster_spread_count(cl, a, cluster_spread_value(cl, a, 0), g), 2);
	cluster_set_status(cl, 0, INST_DRAINING);            /* D6: tasks keep counting */
	cluster_totals(cl, &t);
	T_EQ(t.n_active, 1);
	T_EQ(t.n_registered, 2);
	T_EQ(t.tasks, 2);
	T_EQ(t.mem_reserved, 400);
	T_EQ(cluster_part_size(cl, CL_ALL, 0), 1);
	T_EQ(cluster_spread_count(cl, a, cluster_spread_value(cl, a, 0), g), 2);
	cluster_set_agent_connected(cl, 1, 0);              /* D8 */
	T_EQ(cluster_part_size(cl, CL_ALL, 0), 0);
	cluster_set_agent_connected(cl, 1, 1);
	cluster_set_status(cl, 0, INST_ACTIVE);
	T_EQ(cluster_part_size(cl, CL_ALL, 0), 2);
	cluster_set_status(cl, 0, INST_INACTIVE);           /* D7: tasks dropped, terminal */
	cluster_totals(cl, &t);
	T_EQ(t.tasks, 0);
	T_EQ(t.n_registered, 1);
	T_EQ(t.n_used, 0);
	T_EQ(t.mem_reserved, 0);
	T_EQ(cluster_tasks_on(cl, 0), 0);
	T_EQ(cluster_spread_count(cl, a, cluster_spread_value(cl, a, 0), g), 0);
	cluster_release(cl, 0, &q, g);
	cluster_set_status(cl, 0, INST_ACTIVE);
	T_EQ(cluster_status(cl, 0), INST_INACTIVE);
	cluster_totals(cl, &t);
	T_EQ(t.tasks, 0);
	T_EQ(t.n_active, 1);
	cluster_free(cl);
}

/* Every part holds exactly its placeable instances, ordered by
 * (remaining, number); spread counts equal a recount. */
static int check_indexes(struct cluster *cl, int a, uint32_t g)
{
	int ok = 1;
	int32_t n = cluster_count(cl), total = 0;

	for (int32_t v = -1; v < cluster_spread_nvalues(cl, a); v++) {
		int aa = v < 0 ? CL_ALL : a;
		int32_t size = cluster_part_size(cl, aa, v), want = 0;
		int64_t count = 0;

		for (int32_t i = 0; i < n; i++) {
			int in = v < 0 || cluster_spread_value(cl, a, i) == v;

			if (in && cluster_status(cl, i) == INST_ACTIVE && cluster_agent_connected(cl, i))
				want++;
			if (v >= 0 && in)
				count += cluster_group_tasks_on(cl, i, g);
		}
		ok &= size == want;
		if (v >= 0) {
			ok &= cluster_spread_count(cl, a, v, g) == count;
			total += size;
		}
		for (int k = 0; k < 3; k++) {
			for (int32_t r = 0; r < size; r++) {
				int32_t i = cluster_part_at(cl, aa, v, (enum cl_key)k, r), j;
				int64_t key = k == CL_BY_MEM ? cluster_mem_remaining(cl, i)
					    : k == CL_BY_CPU ? cluster_cpu_remaining(cl, i) : i;

				ok &= cluster_status(cl, i) == INST_ACTIVE && cluster_agent_connected(cl, i);
				ok &= cluster_part_rank(cl, aa, v, (enum cl_key)k, key, i) == r;
				if (r + 1 < size) {
					int64_t k2;

					j = cluster_part_at(cl, aa, v, (enum cl_key)k, r + 1);
					k2 = k == CL_BY_MEM ? cluster_mem_remaining(cl, j)
					   : k == CL_BY_CPU ? cluster_cpu_remaining(cl, j) : j;
					ok &= key < k2 || (key == k2 && i < j);
				}
			}
		}
	}
	/* cluster_part_next: the first rank from `from` on with enough of the
	 * other resource, against a plain walk */
	for (int64_t need = 0; need <= 3072; need += 512) {
		int32_t size = cluster_part_size(cl, CL_ALL, 0);

		for (int32_t from = 0; from <= size; from += 7) {
			int32_t want = from, got, inst;

			while (want < size &&
			       cluster_cpu_remaining(cl, cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, want)) < need)
				want++;
			got = cluster_part_next(cl, CL_ALL, 0, CL_BY_MEM, from, need, &inst);
			ok &= got == want;
			ok &= inst == (want < size ? cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, want) : -1);
		}
	}
	return ok && total == cluster_part_size(cl, CL_ALL, 0);
}

static int check_walks(struct cluster *cl, int a, int64_t step);

static void test_indexes_random(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	static const char *const stacks[] = { "blue", "green", NULL };
	struct task {
		int32_t i;
		struct place_req q;
	} *tasks = calloc(2000, sizeof *tasks);
	int n_tasks = 0, a = -1, ok = 1;
	uint32_t g = cluster_group(cl, "service:web");

	gsl_rng_set(r, 99);
	for (int step = 0; step < 3000; step++) {
		unsigned long op = gsl_rng_uniform_int(r, 10);

		if (cluster_count(cl) == 0 || op == 0) {
			/* (draws in arguments made one by one, the last argument's
			 * first: an argument list's order is the compiler's, and
			 * these cases were made by GCC's, right to left) */
			const char *d_st = stacks[gsl_rng_uniform_int(r, 3)];
			int64_t d_mem = 2000 + 1000 * (int64_t)gsl_rng_uniform_int(r, 8);
			int64_t d_cpu = 1024 * (1 + (int64_t)gsl_rng_uniform_int(r, 4));

			add(cl, gsl_rng_uniform_int(r, 2) ? "us-east-1a" : "us-east-1b", "linux", d_cpu, d_mem, d_st);
		} else if (op < 6 && n_tasks < 2000) {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)cluster_count(cl));
			struct place_req q = { .cpu_units = 128 * (int64_t)gsl_rng_uniform_int(r, 4) };

			q.mem_mib = 256 * (int64_t)gsl_rng_uniform_int(r, 4);   /* (after: sequenced) */

			if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib) {
				cluster_reserve(cl, i, &q, g);
				tasks[n_tasks].i = i;
				tasks[n_tasks++].q = q;
			}
		} else if (op < 9 && n_tasks > 0) {
			int k = (int)gsl_rng_uniform_int(r, (unsigned long)n_tasks);

			cluster_release(cl, tasks[k].i, &tasks[k].q, g);
			tasks[k] = tasks[--n_tasks];
		} else {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)cluster_count(cl));

			switch (gsl_rng_uniform_int(r, 5)) {
			case 0: cluster_set_status(cl, i, INST_DRAINING); break;
			case 1: cluster_set_status(cl, i, INST_ACTIVE); break;
			case 2: cluster_set_agent_connected(cl, i, 0); break;
			case 3: cluster_set_agent_connected(cl, i, 1); break;
			default: if (gsl_rng_uniform_int(r, 10) == 0) cluster_set_status(cl, i, INST_INACTIVE);
			}
		}
		if (step == 500)
			a = cluster_spread_attr(cl, "stack");    /* tracked from then on */
		if (a >= 0 && step % 50 == 0)
			ok &= check_indexes(cl, a, g) && check_walks(cl, a, 512);
	}
	CU_ASSERT(ok);
	CU_ASSERT(check_indexes(cl, a, g));
	free(tasks);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* Lower walks whose run end the leaf told (some runs longer than one). */
static long run_ends_told, run_ends_long;

/* Whether a walk of cursor a, at `at` (a stop) after its start, and the
 * walk of cursor b from where it stands stop at the same ranks and members,
 * up to max stops or the end (rank size). */
static int walks_agree(struct cl_cursor *a, int32_t at, struct cl_cursor *b, int32_t size, int max)
{
	int ok = 1;

	for (int n = 0; n < max; n++) {
		int32_t w = cluster_cursor_next(b);

		ok &= at == w && a->inst == b->inst;
		if (w == size)
			break;
		at = cluster_cursor_next(a);
	}
	return ok;
}

/* A cursor agrees with the plain walk over cluster_part_at (key, other
 * and id by rank, size entries): from every rank (a stride of them) it
 * stops at each rank having `need` of the other resource, in order, then
 * at the end, and stays there; from each amount it starts where
 * cluster_part_lower_first does and steps as cluster_part_next would;
 * bounded by an amount, it stops as the plain walk does up to the first
 * member above that amount, then ends.  In the number order it visits
 * every rank (no bound there).  Only the first few steps from a
 * late start, the whole walk from rank 0. */
static int check_cursor(struct cluster *cl, int aa, int32_t v, int k, int64_t need, int64_t step,
			int32_t size, const int64_t *key, const int64_t *other, const int32_t *id)
{
	struct cl_cursor cur;
	int ok = 1;

	for (int32_t from = 0; from <= size + 1; from += from == 0 ? 1 : 1 + size / 16) {
		int32_t want = from, got = cluster_cursor_from(&cur, cl, aa, v, (enum cl_key)k, from, need,
								    INT64_MAX);

		for (int n = 0; from == 0 || n < 40; n++) {
			while (want < size && other[want] < need)
				want++;
			if (want > size)
				want = size;
			ok &= got == want && cur.rank == want && cur.inst == (want < size ? id[want] : -1);
			if (want == size)
				break;
			got = cluster_cursor_next(&cur);
			want++;
		}
		if (cur.rank == size)   /* past the end: stays */
			ok &= cluster_cursor_next(&cur) == size && cur.inst == -1;
	}
	for (int64_t amount = 0; amount <= 8 * step; amount += step / 2 + 1) {
		int32_t want = 0, inst = -2, got = cluster_cursor_lower(&cur, cl, aa, v, (enum cl_key)k, amount, need);

		while (want < size && (key[want] < amount || other[want] < need))
			want++;
		ok &= got == want && got == cluster_part_lower_first(cl, aa, v, (enum cl_key)k, amount, need, &inst);
		ok &= cur.inst == inst;
		if (k != CL_BY_NUM) {   /* the same without a cursor: member, rank, amount, run end */
			struct cl_probe pr;
			struct cl_cursor c3, c4 = cur;
			int32_t at = cluster_lower_probe(cl, aa, v, (enum cl_key)k, amount, need, &pr);

			ok &= at == want && pr.rank == want && pr.inst == (want < size ? id[want] : -1);
			if (want < size) {
				ok &= pr.amount == key[want] && pr.end == cluster_cursor_run_end(&cur);
				/* and a walk on from its mark stops where the cursor's does */
				at = cluster_cursor_resume(&c3, cl, aa, v, (enum cl_key)k, need, INT64_MAX, pr.mark);
				ok &= walks_agree(&c3, at, &c4, size, 8);
			}
		}
		if (want < size) {      /* the run's end, when the leaf tells */
			int32_t end = want + 1, e = cluster_cursor_run_end(&cur), e2 = -2;
			int64_t am = -1;
			struct cl_cursor c2;

			/* (the same, read in the descent's leaf) */
			ok &= cluster_cursor_lower_run(&c2, cl, aa, v, (enum cl_key)k, amount, need, &am, &e2) == want &&
			      c2.inst == cur.inst && am == key[want] && e2 == e;

			while (end < size && key[end] == key[want])
				end++;
			ok &= e < 0 || e == end;
			run_ends_told += e >= 0;
			run_ends_long += e > want + 1;
			if (e > want + 1) {     /* the run's later members, read from the leaf */
				int32_t in[64];
				int nin = cluster_mark_run(cl, aa, (enum cl_key)k, cluster_cursor_mark(&cur),
							   e - want - 1, need, in), w = 0;

				for (int32_t q = want + 1; q < e; q++)
					if (other[q] >= need)
						ok &= w < nin && in[w++] == id[q];
				ok &= w == nin;
			}
		}
		for (int n = 0; n < 20 && want < size; n++) {
			int32_t next = cluster_part_next(cl, aa, v, (enum cl_key)k, want + 1, need, &inst);

			got = cluster_cursor_next(&cur);
			ok &= got == next && cur.inst == inst;
			want = next;
		}
	}
	/* resumed from a mark at a stop: the same stops after it as the
	 * cursor marked (across leaves: the path is found again) */
	for (int32_t from = 0; from < size; from += 1 + size / 16) {
		struct cl_cursor c2;
		int32_t got = cluster_cursor_from(&cur, cl, aa, v, (enum cl_key)k, from, need, INT64_MAX);

		if (got == size)
			continue;
		got = cluster_cursor_resume(&c2, cl, aa, v, (enum cl_key)k, need, INT64_MAX,
					    cluster_cursor_mark(&cur));
		ok &= walks_agree(&c2, got, &cur, size, 100);
	}
	/* bounded by an amount (each one some member has, and one between):
	 * the same stops up to the first member above it, then the end */
	for (int32_t from = 0; from < size; from += 1 + size / 8) {
		for (int d = 0; d < 2; d++) {
			int64_t max_key = key[from] - d;
			int32_t want = from, got = cluster_cursor_from(&cur, cl, aa, v, (enum cl_key)k, from, need,
								       max_key);

			for (;;) {
				while (want < size && other[want] < need)
					want++;
				if (want < size && key[want] > max_key)
					want = size;
				ok &= got == want && cur.inst == (want < size ? id[want] : -1);
				if (want == size)
					break;
				got = cluster_cursor_next(&cur);
				want++;
			}
			ok &= cluster_cursor_next(&cur) == size;
		}
	}
	if (need == 0) {                /* the number order: every member */
		int32_t r = cluster_cursor_from(&cur, cl, aa, v, CL_BY_NUM, 0, 1 << 30, 0);

		for (int32_t want = 0; want <= size; want++) {
			ok &= r == want && cur.inst == (want < size ? cluster_part_at(cl, aa, v, CL_BY_NUM, want) : -1);
			r = cluster_cursor_next(&cur);
		}
	}
	return ok;
}

/* In every part and both resource orders: cluster_part_next from each
 * rank and cluster_part_lower_next from each amount agree with a plain walk
 * over cluster_part_at (so the subtree maxima and the order are exact after
 * entries moved), and the run end is the first rank of a greater amount. */
static int check_walks(struct cluster *cl, int a, int64_t step)
{
	int ok = 1;

	for (int32_t v = -1; v < cluster_spread_nvalues(cl, a); v++) {
		int aa = v < 0 ? CL_ALL : a;
		int32_t size = cluster_part_size(cl, aa, v);

		for (int k = CL_BY_MEM; k <= CL_BY_CPU; k++) {
			int64_t *key = malloc(((size_t)size + 1) * sizeof *key);
			int64_t *other = malloc(((size_t)size + 1) * sizeof *other);
			int32_t *id = malloc(((size_t)size + 1) * sizeof *id);

			for (int32_t r = 0; r < size; r++) {
				id[r] = cluster_part_at(cl, aa, v, (enum cl_key)k, r);
				key[r] = k == CL_BY_MEM ? cluster_mem_remaining(cl, id[r]) : cluster_cpu_remaining(cl, id[r]);
				other[r] = k == CL_BY_MEM ? cluster_cpu_remaining(cl, id[r]) : cluster_mem_remaining(cl, id[r]);
			}
			for (int64_t need = 0; need <= 4 * step; need += step) {
				for (int32_t from = 0; from <= size; from += 1 + size / 64) {
					int32_t want = from, got, inst;

					while (want < size && other[want] < need)
						want++;
					got = cluster_part_next(cl, aa, v, (enum cl_key)k, from, need, &inst);
					ok &= got == want && inst == (want < size ? id[want] : -1);
				}
				ok &= check_cursor(cl, aa, v, k, need, step, size, key, other, id);
				if (size > 0 && need == 0)      /* a need members have exactly */
					ok &= check_cursor(cl, aa, v, k, other[size / 3], step, size, key, other, id);
				for (int64_t amount = 0; amount <= 8 * step; amount += step / 2) {
					int32_t want = 0, got, inst, end, want_end;

					while (want < size && (key[want] < amount || other[want] < need))
						want++;
					want_end = want;
					while (want_end < size && want < size && key[want_end] == key[want])
						want_end++;
					got = cluster_part_lower_next(cl, aa, v, (enum cl_key)k, amount, need, &inst, &end);
					ok &= got == want && inst == (want < size ? id[want] : -1);
					ok &= end == want_end;
				}
			}
			free(key);
			free(other);
			free(id);
		}
	}
	return ok;
}

/* Thousands of instances (trees several levels deep) under reserves and
 * releases of many sizes, so entries move inside their leaves, across leaf
 * and subtree bounds, and the subtree maxima rise and fall. */
static void test_index_moves(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	static const char *const stacks[] = { "blue", "green", NULL };
	enum { N = 9000, T = 30000 };
	struct task {
		int32_t i;
		struct place_req q;
	} *tasks = calloc(T, sizeof *tasks);
	int n_tasks = 0, a, ok = 1;
	uint32_t g = cluster_group(cl, "service:web");

	gsl_rng_set(r, 7);
	for (int32_t i = 0; i < N; i++) {
		const char *d_st = stacks[gsl_rng_uniform_int(r, 3)];    /* (the last argument's first) */
		int64_t d_mem = 4096 * (1 + (int64_t)gsl_rng_uniform_int(r, 4));

		add(cl, "us-east-1a", "linux", 1024 * (1 + (int64_t)gsl_rng_uniform_int(r, 4)), d_mem, d_st);
	}
	a = cluster_spread_attr(cl, "stack");
	ok &= check_walks(cl, a, 1024);          /* builds the resource orders */
	for (int step = 0; step < 60000; step++) {
		if (n_tasks < T && (n_tasks == 0 || gsl_rng_uniform_int(r, 3) != 0)) {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, N);
			struct place_req q = { .cpu_units = 32 * (int64_t)gsl_rng_uniform_int(r, 9) };

			q.mem_mib = 128 * (int64_t)gsl_rng_uniform_int(r, 9);   /* (after: sequenced) */

			if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib) {
				cluster_reserve(cl, i, &q, g);
				tasks[n_tasks].i = i;
				tasks[n_tasks++].q = q;
			}
		} else {
			int k = (int)gsl_rng_uniform_int(r, (unsigned long)n_tasks);

			cluster_release(cl, tasks[k].i, &tasks[k].q, g);
			tasks[k] = tasks[--n_tasks];
		}
		if (step % 20000 == 19999)
			ok &= check_walks(cl, a, 1024) && cluster_index_valid(cl);
	}
	CU_ASSERT(ok);
	CU_ASSERT(run_ends_told > 0 && run_ends_long > 0);      /* both kinds were checked */
	CU_ASSERT(check_indexes(cl, a, g));
	free(tasks);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* Per-group task counts, an instance's groups (CQL task:group) and the
 * per-value counts of a tracked attribute (choice A9) stay exact under heavy
 * churn of many groups: instances holding more groups than fit inline, counts
 * first read late, an attribute first tracked while tasks run, and an
 * instance going INACTIVE (D7).  Expected values come from the test's own
 * bookkeeping. */
#define CH_N 24
#define CH_G 9

/* Spread counts are read for groups 0..upto-1 only. */
static int check_groups(struct cluster *cl, int a, const uint32_t *g, int (*want)[CH_G], int upto)
{
	int ok = 1;

	for (int32_t i = 0; i < CH_N; i++) {
		const char *const *names;
		int n = cluster_task_groups(cl, i, &names), expect = 0;

		for (int k = 0; k < CH_G; k++) {
			int found = 0;

			ok &= cluster_group_tasks_on(cl, i, g[k]) == want[i][k];
			expect += want[i][k] > 0;
			for (int j = 0; j < n; j++)
				found += strcmp(names[j], cluster_group_name(cl, g[k])) == 0;
			ok &= found == (want[i][k] > 0);
		}
		ok &= n == expect;
	}
	for (int k = 0; k < upto; k++) {       /* all values at once (may build them) */
		int32_t size[8], nv = cluster_spread_nvalues(cl, a);
		int64_t count[8];

		ok &= nv <= 8 && cluster_spread_values(cl, a, g[k], 8, size, count) == nv;
		for (int32_t v = 0; v < nv; v++)
			ok &= size[v] == cluster_part_size(cl, a, v) &&
			      count[v] == cluster_spread_count(cl, a, v, g[k]);
		/* each level of counts, lowest first: the values of that count
		 * with members, in value order */
		for (int t = -1; t < nv; t++) {
			int64_t above = t < 0 ? INT64_MIN : count[t], low = INT64_MAX, level = -5;
			int32_t vals[8], n = 0, got;

			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && count[v] > above && count[v] < low)
					low = count[v];
			got = cluster_spread_level(cl, a, g[k], above, 8, vals, &level);
			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && count[v] == low)
					ok &= n < got && vals[n++] == v;
			ok &= got == n && (n == 0 || level == low);
		}
		ok &= nv < 1 || cluster_spread_level(cl, a, g[k], INT64_MIN, nv - 1, size, count) == -1;
		size[0] = -7;
		ok &= nv < 1 || (cluster_spread_values(cl, a, g[k], nv - 1, size, count) == nv && size[0] == -7);
	}
	for (int k = 0; k < upto; k++) {
		for (int32_t v = 0; v < cluster_spread_nvalues(cl, a); v++) {
			int64_t sum = 0;

			for (int32_t i = 0; i < CH_N; i++)
				if (cluster_spread_value(cl, a, i) == v)
					sum += want[i][k];
			ok &= cluster_spread_count(cl, a, v, g[k]) == sum;
		}
	}
	return ok;
}

static void test_group_churn(void)
{
	static const char *const stacks[] = { "blue", "green", NULL };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	struct place_req q = { .cpu_units = 1, .mem_mib = 1 };
	int want[CH_N][CH_G] = { { 0 } }, ok = 1, a, b = -1;
	uint32_t g[CH_G];

	gsl_rng_set(r, 7);
	for (int i = 0; i < CH_N; i++)
		add(cl, i % 4 ? "us-east-1a" : "us-east-1b", "linux", 100000, 100000, stacks[i % 3]);
	for (int k = 0; k < CH_G; k++) {
		char name[32];

		snprintf(name, sizeof name, "service:s%d", k);
		g[k] = cluster_group(cl, name);
	}
	a = cluster_spread_attr(cl, "stack");
	for (int step = 0; step < 40000; step++) {
		int32_t i = (int32_t)gsl_rng_uniform_int(r, CH_N);
		int k = (int)gsl_rng_uniform_int(r, CH_G);

		if (step == 30000) {
			cluster_set_status(cl, 5, INST_INACTIVE);    /* D7: its tasks stop counting */
			memset(want[5], 0, sizeof want[5]);
		}
		if (gsl_rng_uniform_int(r, 2) && want[i][k] < 3) {
			cluster_reserve(cl, i, &q, g[k]);
			want[i][k] += i != 5 || step < 30000;
		} else if (want[i][k] > 0) {
			cluster_release(cl, i, &q, g[k]);
			want[i][k]--;
		}
		/* the counts of group k are first read at step 4000 k */
		if (step % 997 == 0)
			ok &= check_groups(cl, a, g, want, step / 4000 + 1 < CH_G ? step / 4000 + 1 : CH_G);
		/* an attribute first tracked while tasks run: its counts start
		 * from the tasks already placed */
		if (step == 20000)
			b = cluster_spread_attr(cl, "ecs.availability-zone");
		if (b >= 0 && step % 997 == 0)
			ok &= check_groups(cl, b, g, want, CH_G);
	}
	CU_ASSERT(ok);
	CU_ASSERT(check_groups(cl, a, g, want, CH_G));
	CU_ASSERT(b >= 0 && check_groups(cl, b, g, want, CH_G));
	cluster_free(cl);
	gsl_rng_free(r);
}

/* n instances in one AZ with random CPU and memory (0..99,999) and a
 * `stack` attribute drawn from stacks[0..k-1] (NULL: none), r seeded first. */
static void fill_random(struct cluster *cl, gsl_rng *r, unsigned long seed, int32_t n,
			const char *const *stacks, unsigned long k)
{
	gsl_rng_set(r, seed);
	for (int32_t i = 0; i < n; i++) {
		const char *d_st = stacks[gsl_rng_uniform_int(r, k)];    /* (the last argument's first) */
		int64_t d_mem = (int64_t)gsl_rng_uniform_int(r, 100000);

		add(cl, "us-east-1a", "linux", (int64_t)gsl_rng_uniform_int(r, 100000), d_mem, d_st);
	}
}

/* The placement indexes against a brute force: instances whose remaining
 * memory and CPU jump to arbitrary amounts (a small step, a narrow band
 * where hundreds tie, anywhere in a wide range, negative included: reserve
 * does not check the fit) and change status, so entries move inside a leaf,
 * to another leaf, out of a leaf they leave empty and into full ones; after
 * each batch every part's order equals a sort of its placeable instances by
 * (amount, number) and the walks (which read the subtree maxima) agree with
 * a plain scan. */
static int64_t jump(gsl_rng *r, int64_t cur)
{
	switch (gsl_rng_uniform_int(r, 3)) {
	case 0: return cur + (int64_t)gsl_rng_uniform_int(r, 7) - 3;
	case 1: return (int64_t)gsl_rng_uniform_int(r, 41);
	default: return (int64_t)gsl_rng_uniform_int(r, 101001) - 1000;
	}
}

static const int32_t *sort_inst_key;    /* the key of each instance, for cmp_brute */

static int cmp_brute(const void *x, const void *y)
{
	int32_t i = *(const int32_t *)x, j = *(const int32_t *)y;
	int64_t a = sort_inst_key ? sort_inst_key[i] : i, b = sort_inst_key ? sort_inst_key[j] : j;

	return a < b ? -1 : a > b ? 1 : (i > j) - (i < j);
}

static int check_brute(struct cluster *cl, int a)
{
	int32_t n = cluster_count(cl), *list = malloc((size_t)n * sizeof *list);
	int32_t *mem = malloc((size_t)n * sizeof *mem), *cpu = malloc((size_t)n * sizeof *cpu);
	int ok = 1;

	for (int32_t i = 0; i < n; i++) {
		mem[i] = (int32_t)cluster_mem_remaining(cl, i);
		cpu[i] = (int32_t)cluster_cpu_remaining(cl, i);
	}
	for (int32_t v = -1; v < cluster_spread_nvalues(cl, a); v++) {
		int aa = v < 0 ? CL_ALL : a;

		for (int k = 0; k < 3; k++) {
			int32_t m = 0;

			for (int32_t i = 0; i < n; i++)
				if ((v < 0 || cluster_spread_value(cl, a, i) == v) &&
				    cluster_status(cl, i) == INST_ACTIVE && cluster_agent_connected(cl, i))
					list[m++] = i;
			sort_inst_key = k == CL_BY_MEM ? mem : k == CL_BY_CPU ? cpu : NULL;
			qsort(list, (size_t)m, sizeof *list, cmp_brute);
			ok &= cluster_part_size(cl, aa, v) == m;
			for (int32_t r = 0; r < m; r++) {
				int64_t key = k == CL_BY_MEM ? mem[list[r]] : k == CL_BY_CPU ? cpu[list[r]] : list[r];

				ok &= cluster_part_at(cl, aa, v, (enum cl_key)k, r) == list[r];
				ok &= cluster_part_rank(cl, aa, v, (enum cl_key)k, key, list[r]) == r;
			}
			ok &= cluster_part_at(cl, aa, v, (enum cl_key)k, m) == -1;
			if (k == CL_BY_NUM)
				continue;
			/* a walk for the most of the other resource any member has
			 * (or one less, or one more), from every 50th rank: a stale
			 * subtree max would skip that member or stop short */
			{
				const int32_t *other = k == CL_BY_MEM ? cpu : mem;
				int32_t top = INT32_MIN;

				for (int32_t r = 0; r < m; r++)
					top = other[list[r]] > top ? other[list[r]] : top;
				for (int64_t need = (int64_t)top - 1; m > 0 && need <= (int64_t)top + 1; need++) {
					for (int32_t from = 0; from <= m; from += 50) {
						int32_t want = from, inst;

						while (want < m && other[list[want]] < need)
							want++;
						ok &= cluster_part_next(cl, aa, v, (enum cl_key)k, from, need, &inst) == want;
						ok &= inst == (want < m ? list[want] : -1);
					}
				}
			}
		}
	}
	sort_inst_key = NULL;
	free(list);
	free(mem);
	free(cpu);
	return ok;
}

static void test_index_brute(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	static const char *const stacks[] = { "blue", "green", NULL };
	enum { N = 4000 };
	int a, ok = 1;
	uint32_t g = cluster_group(cl, "service:web");

	fill_random(cl, r, 11, N, stacks, 3);
	a = cluster_spread_attr(cl, "stack");
	ok &= check_brute(cl, a) && check_walks(cl, a, 12500);    /* builds the resource orders */
	for (int step = 1; step <= 40000; step++) {
		int32_t i = (int32_t)gsl_rng_uniform_int(r, N);

		if (gsl_rng_uniform_int(r, 50) == 0) {
			switch (gsl_rng_uniform_int(r, 4)) {
			case 0: cluster_set_status(cl, i, INST_DRAINING); break;
			case 1: cluster_set_status(cl, i, INST_ACTIVE); break;
			case 2: cluster_set_agent_connected(cl, i, 0); break;
			default: cluster_set_agent_connected(cl, i, 1);
			}
		} else {
			int64_t mem = cluster_mem_remaining(cl, i), cpu = cluster_cpu_remaining(cl, i);
			struct place_req q = { .mem_mib = mem - jump(r, mem) };

			if (gsl_rng_uniform_int(r, 2))          /* else the CPU order's key stays */
				q.cpu_units = cpu - jump(r, cpu);
			cluster_reserve(cl, i, &q, g);
		}
		if (step % 4000 == 0)
			ok &= check_brute(cl, a) && check_walks(cl, a, 12500);
		if (step % 400 == 0)     /* the trees' own counts and maxima, exactly */
			ok &= cluster_index_valid(cl);
	}
	CU_ASSERT(ok);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* Queries with an amount outside the entries' 32-bit range (a need above
 * INT32_MAX, or the largest int64): every member ranks before it and none
 * has that much, in every part and resource order of trees with nodes of
 * many sizes (the nodes' searches read padding past their last separator,
 * which such a query's sort key must stay before: it was INT64_MAX, equal
 * to the padding, and the search went past the last child). */
static int check_far_keys(struct cluster *cl, int a)
{
	static const int64_t far[] = { (int64_t)INT32_MAX + 1, (int64_t)1 << 40, INT64_MAX - 1, INT64_MAX };
	int ok = 1;

	for (int32_t v = -1; v < cluster_spread_nvalues(cl, a); v++) {
		int aa = v < 0 ? CL_ALL : a;
		int32_t m = cluster_part_size(cl, aa, v);

		for (int k = CL_BY_MEM; k <= CL_BY_CPU; k++) {
			for (size_t f = 0; f < sizeof far / sizeof *far; f++) {
				struct cl_cursor cur;
				int32_t inst = 0, end = 0;

				ok &= cluster_part_rank(cl, aa, v, (enum cl_key)k, far[f], 0) == m;
				ok &= cluster_part_rank(cl, aa, v, (enum cl_key)k, -far[f], 0) == 0;
				ok &= cluster_part_lower_next(cl, aa, v, (enum cl_key)k, far[f], INT64_MIN, &inst,
							      &end) == m && inst == -1 && end == m;
				ok &= cluster_part_lower_first(cl, aa, v, (enum cl_key)k, far[f], INT64_MIN,
							       &inst) == m && inst == -1;
				ok &= cluster_cursor_lower(&cur, cl, aa, v, (enum cl_key)k, far[f], INT64_MIN) == m &&
				      cur.inst == -1;
			}
		}
	}
	return ok;
}

static void test_index_far_keys(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	static const char *const stacks[] = { "blue", "green", "red", NULL };
	enum { N = 6000 };
	int a, ok = 1;
	uint32_t g = cluster_group(cl, "service:web");

	fill_random(cl, r, 5, N, stacks, 4);
	a = cluster_spread_attr(cl, "stack");
	ok &= check_far_keys(cl, a);                 /* builds the resource orders */
	for (int step = 1; step <= 30000; step++) {
		int32_t i = (int32_t)gsl_rng_uniform_int(r, N);
		int64_t mem = cluster_mem_remaining(cl, i), cpu = cluster_cpu_remaining(cl, i);
		struct place_req q = { .mem_mib = mem - jump(r, mem) };

		q.cpu_units = cpu - jump(r, cpu);            /* (after: sequenced) */

		if (gsl_rng_uniform_int(r, 100) == 0)
			cluster_set_agent_connected(cl, i, (int)gsl_rng_uniform_int(r, 2));
		else
			cluster_reserve(cl, i, &q, g);
		if (step % 3000 == 0)
			ok &= check_far_keys(cl, a);
	}
	CU_ASSERT(ok);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* A leaf's shifts (an entry moving inside its leaf, leaving one, joining
 * one) against a plain sorted array, checked after every change: one leaf
 * of up to 63 entries (every shift length and both directions, up to the
 * leaf's last slot), then a few leaves (entries crossing between them, one
 * joining a nearly full leaf).  Amounts in a narrow band, so entries land
 * anywhere in a leaf and ties are common; every rank's instance and, by a
 * walk for one unit more of the other resource than its own, its aux. */
static int check_sorted(struct cluster *cl, int32_t n, int32_t *list, const int32_t *mem, const int32_t *cpu)
{
	int32_t m = 0;
	int ok = 1;

	for (int32_t i = 0; i < n; i++)
		if (cluster_agent_connected(cl, i))
			list[m++] = i;
	sort_inst_key = mem;
	qsort(list, (size_t)m, sizeof *list, cmp_brute);
	sort_inst_key = NULL;
	ok &= cluster_part_size(cl, CL_ALL, 0) == m;
	for (int32_t r = 0; r < m; r++) {
		int32_t want = r + 1, inst;

		ok &= cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, r) == list[r];
		while (want < m && cpu[list[want]] <= cpu[list[r]])
			want++;
		ok &= cluster_part_next(cl, CL_ALL, 0, CL_BY_MEM, r, (int64_t)cpu[list[r]] + 1, &inst) == want;
	}
	ok &= cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, m) == -1;
	return ok;
}

static void test_leaf_shifts(void)
{
	static const int32_t sizes[] = { 63, 200 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int ok = 1;

	gsl_rng_set(r, 3);
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		int32_t n = sizes[z], list[200], mem[200], cpu[200];
		struct cluster *cl = cluster_new();
		uint32_t g = cluster_group(cl, "service:web");

		for (int32_t i = 0; i < n; i++) {
			int64_t d_mem = (int64_t)gsl_rng_uniform_int(r, 120);     /* (the last argument's first) */

			add(cl, "us-east-1a", "linux", (int64_t)gsl_rng_uniform_int(r, 50), d_mem, NULL);
			mem[i] = (int32_t)cluster_mem_remaining(cl, i);
			cpu[i] = (int32_t)cluster_cpu_remaining(cl, i);
		}
		ok &= check_sorted(cl, n, list, mem, cpu);      /* builds the memory order */
		for (int step = 0; step < 6000; step++) {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)n);

			if (gsl_rng_uniform_int(r, 20) == 0) {  /* an entry out of its leaf, or in */
				cluster_set_agent_connected(cl, i, !cluster_agent_connected(cl, i));
			} else {
				int32_t nm = gsl_rng_uniform_int(r, 2) ? mem[i] + (int32_t)gsl_rng_uniform_int(r, 9) - 4
								       : (int32_t)gsl_rng_uniform_int(r, 120);
				int32_t nc = (int32_t)gsl_rng_uniform_int(r, 50);
				struct place_req q = { .mem_mib = mem[i] - nm, .cpu_units = cpu[i] - nc };

				cluster_reserve(cl, i, &q, g);
				mem[i] = nm;
				cpu[i] = nc;
			}
			ok &= check_sorted(cl, n, list, mem, cpu) && cluster_index_valid(cl);
		}
		cluster_free(cl);
	}
	CU_ASSERT(ok);
	gsl_rng_free(r);
}

/* A leaf's max aux and its count of entries at that max, recomputed in one
 * pass over whole blocks of eight whose slots past the entries hold
 * INT32_MIN (the aux padding): entries whose aux is that same INT32_MIN
 * (the CPU left at its least), alone in their leaf or mixed with others,
 * in leaves of every size from one entry (n = 5: the last block mostly
 * padding; 8: none; 63; 130: a few leaves, entries crossing).  Checked
 * after every change against a plain sorted array (check_sorted) and by
 * cluster_index_valid (the max, its count, the padding). */
static void test_leaf_aux_min(void)
{
	static const int32_t sizes[] = { 5, 8, 63, 130 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int ok = 1, all_min = 0;

	gsl_rng_set(r, 5);
	for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		int32_t n = sizes[z], list[130], mem[130], cpu[130];
		struct cluster *cl = cluster_new();
		uint32_t g = cluster_group(cl, "service:web");

		for (int32_t i = 0; i < n; i++) {
			add(cl, "us-east-1a", "linux", 64, (int64_t)gsl_rng_uniform_int(r, 120), NULL);
			mem[i] = (int32_t)cluster_mem_remaining(cl, i);
			cpu[i] = (int32_t)cluster_cpu_remaining(cl, i);
		}
		ok &= check_sorted(cl, n, list, mem, cpu);      /* builds the memory order */
		for (int step = 0; step < 3000; step++) {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)n), every = 1;

			if (gsl_rng_uniform_int(r, 20) == 0) {  /* an entry out of its leaf, or in */
				cluster_set_agent_connected(cl, i, !cluster_agent_connected(cl, i));
			} else {
				int32_t nm = gsl_rng_uniform_int(r, 2) ? mem[i] + (int32_t)gsl_rng_uniform_int(r, 9) - 4
								       : (int32_t)gsl_rng_uniform_int(r, 120);
				unsigned long u = gsl_rng_uniform_int(r, 10);
				int32_t nc = u < 6   ? INT32_MIN
					     : u < 8 ? INT32_MIN + (int32_t)gsl_rng_uniform_int(r, 3)
						     : (int32_t)gsl_rng_uniform_int(r, 50);
				struct place_req q = { .mem_mib = mem[i] - nm,
						       .cpu_units = (int64_t)cpu[i] - (int64_t)nc };

				cluster_reserve(cl, i, &q, g);
				mem[i] = nm;
				cpu[i] = nc;
			}
			ok &= check_sorted(cl, n, list, mem, cpu) && cluster_index_valid(cl);
			for (int32_t j = 0; j < n; j++)
				every &= !cluster_agent_connected(cl, j) || cpu[j] == INT32_MIN;
			all_min += every;
		}
		cluster_free(cl);
	}
	CU_ASSERT(ok);
	CU_ASSERT(all_min > 100);       /* leaves whose every entry is at INT32_MIN */
	gsl_rng_free(r);
}

/* A run's end as the leaf of its first member tells it (cluster_lower_probe):
 * one leaf of 1..63 entries whose amounts make runs of 1..9 members, the
 * largest amount at times the greatest an entry can have (INT32_MAX, the
 * same as the padding's past the entries); every run probed at its amount.
 * The leaf holds every entry and is the tree's root (no leaf follows it),
 * so the end is always the plain count's, also when the run reaches the
 * last entry. */
static void test_run_ends(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int ok = 1, told = 0, open = 0, top = 0;

	gsl_rng_set(r, 11);
	for (int round = 0; round < 400; round++) {
		struct cluster *cl = cluster_new();
		int32_t n = 1 + (int32_t)gsl_rng_uniform_int(r, 63), mem[63];
		int64_t amount = (int64_t)gsl_rng_uniform_int(r, 5);

		for (int32_t i = 0; i < n;) {   /* runs of 1..9, ascending */
			int32_t len = 1 + (int32_t)gsl_rng_uniform_int(r, 9);

			amount += 1 + (int64_t)gsl_rng_uniform_int(r, 3);
			for (; len > 0 && i < n; len--, i++) {
				mem[i] = round % 3 == 0 && n - i <= 4 ? INT32_MAX : (int32_t)amount;
				add(cl, "us-east-1a", "linux", 1024, mem[i], NULL);
			}
		}
		ok &= cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, 0) == 0;  /* builds the order */
		for (int32_t i = 0; i < n; i++) {
			struct cl_probe pr;
			int32_t end = i;

			if (i > 0 && mem[i - 1] == mem[i])
				continue;
			while (end < n && mem[end] == mem[i])
				end++;
			ok &= cluster_lower_probe(cl, CL_ALL, 0, CL_BY_MEM, mem[i], 0, &pr) == i && pr.inst == i;
			ok &= pr.end == end;
			told += end < n;
			open += end == n;
			top += mem[i] == INT32_MAX;
		}
		cluster_free(cl);
	}
	CU_ASSERT(ok);
	CU_ASSERT(told > 1000 && open > 100 && top > 50);       /* every kind was probed */
	gsl_rng_free(r);
}

/* cluster_spread_level against a plain scan of every value's size and
 * count: values whose instances all drain (a part without members, its
 * count kept), counts tied and passed, every level from the lowest. */
static void test_spread_levels(void)
{
	static const char *const stacks[] = { "s0", "s1", "s2", "s3", "s4", NULL };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	struct place_req q = { .cpu_units = 1, .mem_mib = 1 };
	uint32_t g = cluster_group(cl, "service:web");
	int32_t tasks[12] = { 0 };
	int ok = 1, a, empty_low = 0, ties = 0;

	gsl_rng_set(r, 5);
	for (int32_t i = 0; i < 12; i++)
		add(cl, "us-east-1a", "linux", 100000, 100000, stacks[i % 6]);
	a = cluster_spread_attr(cl, "stack");
	for (int step = 0; step < 20000; step++) {
		int32_t i = (int32_t)gsl_rng_uniform_int(r, 12), size[8], nv;
		int64_t count[8];

		switch (gsl_rng_uniform_int(r, 5)) {
		case 0:
			cluster_set_status(cl, i, gsl_rng_uniform_int(r, 2) ? INST_DRAINING : INST_ACTIVE);
			break;
		case 1: case 2:
			if (tasks[i] < 4) {
				cluster_reserve(cl, i, &q, g);
				tasks[i]++;
			}
			break;
		default:
			if (tasks[i] > 0) {
				cluster_release(cl, i, &q, g);
				tasks[i]--;
			}
		}
		nv = cluster_spread_values(cl, a, g, 8, size, count);
		ok &= nv == 6;
		for (int t = -1; t < 2 * nv; t++) {
			/* above: none, each count, one below each count */
			int64_t above = t < 0 ? INT64_MIN : count[t / 2] - t % 2, low = INT64_MAX, level = -5;
			int32_t vals[8], n = 0, got;

			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && count[v] > above && count[v] < low)
					low = count[v];
			for (int32_t v = 0; v < nv; v++)
				empty_low += size[v] == 0 && count[v] > above && count[v] < low;
			got = cluster_spread_level(cl, a, g, above, 8, vals, &level);
			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && count[v] == low)
					ok &= n < got && vals[n++] == v;
			ok &= got == n && (n == 0 || level == low);
			ties += n > 1;
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(empty_low > 100 && ties > 100);       /* both cases were met */
	cluster_free(cl);
	gsl_rng_free(r);
}

/* cluster_spread_lower against plain scans, on parts several leaves deep
 * (thousands of instances, few sizes of reservation: long runs of one
 * amount that cross leaves): the lowest level (group count) one of whose
 * values has a member with the key and the other resource, that level's
 * values, the tied bits of the least amount, and per tied value its first
 * member, rank and amount, the run's end exactly as a cursor's descent
 * tells it (cluster_cursor_lower_run: told or -1; told, it is the plain
 * count's) and the run's rest read from its leaf at the mark. */
struct plain_order {
	int32_t size;
	int32_t *id;
	int64_t *key, *other;
};

static void plain_order_of(struct cluster *cl, int a, int32_t v, int k, struct plain_order *o)
{
	o->size = cluster_part_size(cl, a, v);
	o->id = realloc(o->id, ((size_t)o->size + 1) * sizeof *o->id);
	o->key = realloc(o->key, ((size_t)o->size + 1) * sizeof *o->key);
	o->other = realloc(o->other, ((size_t)o->size + 1) * sizeof *o->other);
	for (int32_t r = 0; r < o->size; r++) {
		int32_t i = cluster_part_at(cl, a, v, (enum cl_key)k, r);

		o->id[r] = i;
		o->key[r] = k == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i);
		o->other[r] = k == CL_BY_MEM ? cluster_cpu_remaining(cl, i) : cluster_mem_remaining(cl, i);
	}
}

/* The rank of o's first member with the key and the other resource (o's
 * size when none has both). */
static int32_t plain_first(const struct plain_order *o, int64_t key, int64_t other)
{
	int32_t f = 0;

	while (f < o->size && (o->key[f] < key || o->other[f] < other))
		f++;
	return f;
}

/* Whether the n entries after a run's first member (rank f, the run ends
 * at end), read from its leaf at mark m, are those of o with the other
 * resource, in order. */
static int plain_rest_ok(struct cluster *cl, int a, int k, struct cl_mark m, int32_t n, int64_t other,
			 const struct plain_order *o, int32_t f, int32_t end)
{
	int32_t in[64];
	int got = cluster_mark_run(cl, a, (enum cl_key)k, m, n, other, in), w = 0, ok = 1;

	for (int32_t q = f + 1; q < end; q++)
		if (o->other[q] >= other)
			ok &= w < got && in[w++] == o->id[q];
	return ok && w == got;
}

static void plain_orders_free(struct plain_order *o, int n)
{
	for (int j = 0; j < n; j++) {
		free(o[j].id);
		free(o[j].key);
		free(o[j].other);
	}
}

static void test_spread_lower(void)
{
	static const char *const stacks[] = { "s0", "s1", "s2", "s3", NULL };
	enum { N = 5000, NV = 5 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	uint32_t gid[2] = { cluster_group(cl, "service:web"), cluster_group(cl, "service:api") };
	struct plain_order ord[2][NV];
	int a, ok = 1, multi = 0, long_told = 0, untold = 0, higher = 0, none = 0, passed = 0, unranked = 0;

	memset(ord, 0, sizeof ord);
	gsl_rng_set(r, 13);
	for (int32_t i = 0; i < N; i++) {
		/* (the instances without a stack small: that value's count
		 * stays low, and most queries find no member there, so the
		 * search goes on to the next level) */
		int sv = (int)gsl_rng_uniform_int(r, NV);

		int64_t d_mem = sv == NV - 1 ? 1024 : 4096 * (1 + (int64_t)gsl_rng_uniform_int(r, 4));

		/* (the memory drawn first: GCC's order of the arguments, in
		 * which these cases were made) */
		add(cl, "us-east-1a", "linux", sv == NV - 1 ? 256 : 1024 * (1 + (int64_t)gsl_rng_uniform_int(r, 4)),
		    d_mem, stacks[sv]);
	}
	a = cluster_spread_attr(cl, "stack");
	for (int round = 0; round < 40; round++) {
		int32_t nv = cluster_spread_nvalues(cl, a);

		for (int x = 0; x < 400; x++) {
			int32_t i = (int32_t)gsl_rng_uniform_int(r, N);
			struct place_req q = { .cpu_units = 256 * (int64_t)gsl_rng_uniform_int(r, 3) };

			q.mem_mib = 1024 * (int64_t)gsl_rng_uniform_int(r, 3);   /* (after: sequenced) */

			if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib)
				cluster_reserve(cl, i, &q, gid[gsl_rng_uniform_int(r, 2)]);
		}
		if (round == 0) {       /* (builds the resource orders) */
			cluster_part_at(cl, CL_ALL, 0, CL_BY_MEM, 0);
			cluster_part_at(cl, CL_ALL, 0, CL_BY_CPU, 0);
		}
		for (int k = CL_BY_MEM; k <= CL_BY_CPU; k++)
			for (int32_t v = 0; v < nv; v++)
				plain_order_of(cl, a, v, k, &ord[k][v]);
		for (int t = 0; t < 60; t++) {
			int k = (int)gsl_rng_uniform_int(r, 2);
			uint32_t g = gid[gsl_rng_uniform_int(r, 2)];
			int64_t key = (k == CL_BY_MEM ? 1024 : 256) * (int64_t)gsl_rng_uniform_int(r, 17);
			int64_t other = (k == CL_BY_MEM ? 1024 : 256) * (int64_t)gsl_rng_uniform_int(r, 17);
			int32_t vals[32], first[NV], want_vals[NV], nw = 0;
			struct cl_probe pr[32];
			int64_t level = -1, low = INT64_MAX, least = INT64_MAX, lowest = INT64_MAX;
			unsigned tied = 0, want_tied = 0;
			int rc = cluster_spread_lower(cl, a, g, (enum cl_key)k, key, other, 32, vals, pr, &tied, &level);

			/* per value, its first member with the key and the other */
			for (int32_t v = 0; v < nv; v++) {
				const struct plain_order *o = &ord[k][v];

				if (o->size > 0 && cluster_spread_count(cl, a, v, g) < lowest)
					lowest = cluster_spread_count(cl, a, v, g);
				first[v] = plain_first(o, key, other);
				if (first[v] < o->size && cluster_spread_count(cl, a, v, g) < low)
					low = cluster_spread_count(cl, a, v, g);
			}
			if (low == INT64_MAX) {
				ok &= rc == 0;
				none++;
				continue;
			}
			/* the level's values (a part with members), the least amount */
			for (int32_t v = 0; v < nv; v++) {
				const struct plain_order *o = &ord[k][v];

				if (o->size == 0 || cluster_spread_count(cl, a, v, g) != low)
					continue;
				if (first[v] < o->size && o->key[first[v]] < least)
					least = o->key[first[v]];
				want_vals[nw++] = v;
			}
			for (int j = 0; j < nw; j++) {
				const struct plain_order *o = &ord[k][want_vals[j]];

				want_tied |= (unsigned)(first[want_vals[j]] < o->size && o->key[first[want_vals[j]]] == least) << j;
			}
			ok &= rc == 1 && level == low && tied == want_tied;
			if (!ok)
				break;
			higher += low > 0;
			passed += low > lowest;         /* a lower level had no member */
			multi += (tied & (tied - 1)) != 0;
			for (int j = 0; j < nw; j++) {
				int32_t v = want_vals[j], f = first[v], end = f, e2 = -2;
				const struct plain_order *o = &ord[k][v];
				struct cl_cursor cur;
				int64_t am = -1;

				ok &= vals[j] == v;
				if (!(tied >> j & 1))
					continue;
				while (end < o->size && o->key[end] == o->key[f])
					end++;
				ok &= pr[j].inst == o->id[f] && pr[j].amount == o->key[f];
				/* unranked (else the slow path's), then ranked */
				ok &= pr[j].rank < 0 ? pr[j].end == -1 && pr[j].mark.base == -1 : pr[j].rank == f;
				unranked += pr[j].rank < 0;
				cluster_probe_rank(cl, a, v, (enum cl_key)k, &pr[j]);
				ok &= pr[j].rank == f && pr[j].mark.base == f - pr[j].mark.pos;
				ok &= pr[j].len == (pr[j].end < 0 ? -1 : pr[j].end - f);
				/* the end as the cursor's descent tells it, and right */
				cluster_cursor_lower_run(&cur, cl, a, v, (enum cl_key)k, key, other, &am, &e2);
				ok &= pr[j].end == e2 && (pr[j].end < 0 || pr[j].end == end);
				untold += pr[j].end < 0;
				if (pr[j].end > f + 1 && pr[j].end - f - 1 <= 64) {
					/* the run's rest, from its leaf */
					ok &= plain_rest_ok(cl, a, k, pr[j].mark, pr[j].end - f - 1, other, o, f, end);
					long_told++;
				}
			}
		}
	}
	CU_ASSERT(ok);
	CU_ASSERT(cluster_index_valid(cl));
	if (getenv("ECSIM_TEST_VERBOSE"))
		fprintf(stderr, "spread lower: %d none, %d above level 0, %d past a level, %d multi, %d long told, "
			"%d untold, %d unranked\n", none, higher, passed, multi, long_told, untold, unranked);
	CU_ASSERT(none > 10 && higher > 100 && passed > 100 && multi > 30 && long_told > 100 && untold > 10 &&
		  unranked > 100);
	plain_orders_free(&ord[0][0], 2 * NV);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* Every probe of cluster_spread_lower (each value of the level, not only
 * the tied ones) against plain scans, in parts of thousands of instances
 * (internal nodes of 32 to 63 children below the root), filled the way
 * binpack fills them: the first children of each resource order hold
 * instances short of the other resource, which the probe passes by their
 * maxima; the other resource asked is mostly an amount some instance has
 * (a child's max exactly the need), and the key one held or none.  Each
 * probe's member, amount and run length, then its ranks
 * (cluster_probe_rank: rank, end, mark's base) and the run's rest read
 * at the mark; nearly every probe with a member must be the unranked
 * descent's (a fallback through the cursor would hide its errors). */
static void test_probe_skips(void)
{
	static const char *const stacks[] = { "s0", "s1" };
	enum { N = 12000, NV = 2, MAXT = 90000 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	uint32_t gid = cluster_group(cl, "service:web"), gq = cluster_group(cl, "service:probe");
	struct plain_order ord[2][NV];
	struct { int32_t i; struct place_req q; } *task = malloc(MAXT * sizeof *task);
	int32_t nt = 0;
	int a, ok = 1, with = 0, fast = 0, none = 0, deep = 0, exact = 0, long_told = 0, zero = 0;

	memset(ord, 0, sizeof ord);
	gsl_rng_set(r, 29);
	for (int32_t i = 0; i < N; i++)
		add(cl, "us-east-1a", "linux", i % 3 ? 2048 : 4096, i % 2 ? 8192 : 16384, stacks[i % NV]);
	a = cluster_spread_attr(cl, "stack");
	for (int round = 0; round < 30; round++) {
		/* binpack-like: tasks onto the instances that have the least
		 * room of a random few, released at random */
		for (int x = 0; x < (round == 0 ? 60000 : 2000); x++) {
			if (nt > 0 && (nt == MAXT || gsl_rng_uniform(r) < (round == 0 ? 0.1 : 0.5))) {
				int32_t t = (int32_t)gsl_rng_uniform_int(r, (unsigned long)nt);

				cluster_release(cl, task[t].i, &task[t].q, gid);
				task[t] = task[--nt];
			} else {
				struct place_req q = { .cpu_units = 256 * (1 + (int64_t)gsl_rng_uniform_int(r, 4)) };
				int32_t best = -1;

				q.mem_mib = 512 * (1 + (int64_t)gsl_rng_uniform_int(r, 8));   /* (after: sequenced) */

				for (int y = 0; y < 8; y++) {
					int32_t i = (int32_t)gsl_rng_uniform_int(r, N);

					if (cluster_cpu_remaining(cl, i) >= q.cpu_units &&
					    cluster_mem_remaining(cl, i) >= q.mem_mib &&
					    (best < 0 || cluster_mem_remaining(cl, i) < cluster_mem_remaining(cl, best)))
						best = i;
				}
				if (best >= 0) {
					cluster_reserve(cl, best, &q, gid);
					task[nt].i = best;
					task[nt++].q = q;
				}
			}
		}
		for (int k = CL_BY_MEM; k <= CL_BY_CPU; k++)
			for (int32_t v = 0; v < NV; v++)
				plain_order_of(cl, a, v, k, &ord[k][v]);
		for (int t = 0; t < 200; t++) {
			int k = (int)gsl_rng_uniform_int(r, 2);
			int32_t i = (int32_t)gsl_rng_uniform_int(r, N), vals[32];
			int64_t mine = k == CL_BY_MEM ? cluster_mem_remaining(cl, i) : cluster_cpu_remaining(cl, i);
			int64_t theirs = k == CL_BY_MEM ? cluster_cpu_remaining(cl, i) : cluster_mem_remaining(cl, i);
			int64_t key = t % 3 == 0 ? 0 : t % 3 == 1 ? mine : mine / 2;
			int64_t other = theirs + (t % 5 == 0);
			struct cl_probe pr[32];
			int64_t level = -1;
			unsigned tied = 0;
			int rc = cluster_spread_lower(cl, a, gq, (enum cl_key)k, key, other, 32, vals, pr, &tied, &level);
			int any = 0;

			for (int32_t v = 0; v < NV; v++)
				any |= plain_first(&ord[k][v], key, other) < ord[k][v].size;
			if (!any) {
				ok &= rc == 0;
				none++;
				continue;
			}
			ok &= rc == 1 && level == 0;
			for (int j = 0; j < NV && ok; j++) {
				const struct plain_order *o = &ord[k][j];
				int32_t f = plain_first(o, key, other), end;

				ok &= vals[j] == j;
				if (f == o->size) {
					ok &= pr[j].inst < 0;
					continue;
				}
				for (end = f + 1; end < o->size && o->key[end] == o->key[f]; end++)
					;
				with++;
				fast += pr[j].rank < 0;
				/* (from the first child on, no descent climbs:
				 * every probe of key 0 is the unranked one) */
				ok &= key > 0 || pr[j].rank < 0;
				zero += key == 0;
				deep += f > 2100;
				exact += o->other[f] == other;
				ok &= pr[j].inst == o->id[f] && pr[j].amount == o->key[f] &&
				      (pr[j].len < 0 || pr[j].len == end - f);
				cluster_probe_rank(cl, a, j, (enum cl_key)k, &pr[j]);
				ok &= pr[j].rank == f && pr[j].mark.base == f - pr[j].mark.pos &&
				      pr[j].end == (pr[j].len < 0 ? -1 : f + pr[j].len);
				if (pr[j].len > 1 && pr[j].len <= 65) {
					ok &= plain_rest_ok(cl, a, k, pr[j].mark, pr[j].len - 1, other, o, f, end);
					long_told++;
				}
			}
		}
		if (!ok)
			break;
	}
	CU_ASSERT(ok);
	CU_ASSERT(cluster_index_valid(cl));
	if (getenv("ECSIM_TEST_VERBOSE"))
		fprintf(stderr, "probe skips: %d with a member (%d fast, %d of key 0, %d deep, %d at the need), %d none, "
			"%d long told\n", with, fast, zero, deep, exact, none, long_told);
	CU_ASSERT(with > 5000 && fast > with - with / 10 && zero > 2000 && deep > 100 && exact > 1000 && none > 0 &&
		  long_told > 100);
	plain_orders_free(&ord[0][0], 2 * NV);
	free(task);
	cluster_free(cl);
	gsl_rng_free(r);
}

/* ---- registration against a plain model ---- */

/* The model of one cluster's registrations: every string the cluster
 * interned, in the order of first appearance (an attribute name's id is
 * observable: cluster_attr_id), and per instance its attribute list, ids,
 * agent version, reserved ports and tasks per group, all made the plain
 * way: built-in attributes from the fields (D1), then the others with a
 * later duplicate name ignored (its value never interned), ports sorted
 * with duplicates dropped (D2), a task's port and group count added on
 * reserve and taken away on release. */
#define RM_STRS 256
#define RM_INSTS 400
#define RM_ATTRS 80
#define RM_PORTS 64

#define RM_GROUPS 10
#define RM_TASKS 4000

struct rm_inst {
	int tasks[RM_GROUPS];             /* per group */
	char id[24], ec2[24], version[32];
	int has_version;
	char type[32], az[32];
	int n_attrs;
	char names[RM_ATTRS][32], values[RM_ATTRS][32];
	int has_value[RM_ATTRS];
	uint16_t ports[2][RM_PORTS];
	int n_ports[2];
};

struct rm {
	char strs[RM_STRS][32];
	int n_strs;
	struct rm_inst in[RM_INSTS];
	uint32_t g[RM_GROUPS];
	struct rm_task {
		int32_t i;
		int udp;
		uint16_t port;
		int g;
	} t[RM_TASKS];
	int n_tasks;
};

static int rm_intern(struct rm *m, const char *s)
{
	for (int k = 0; k < m->n_strs; k++)
		if (strcmp(m->strs[k], s) == 0)
			return k;
	CU_ASSERT_FATAL(m->n_strs < RM_STRS);
	snprintf(m->strs[m->n_strs], sizeof m->strs[0], "%s", s);
	return m->n_strs++;
}

static void rm_attr(struct rm *m, struct rm_inst *mi, const char *name, const char *value)
{
	rm_intern(m, name);
	for (int k = 0; k < mi->n_attrs; k++)
		if (strcmp(mi->names[k], name) == 0)
			return;
	snprintf(mi->names[mi->n_attrs], sizeof mi->names[0], "%s", name);
	mi->has_value[mi->n_attrs] = value != NULL;
	if (value) {
		rm_intern(m, value);
		snprintf(mi->values[mi->n_attrs], sizeof mi->values[0], "%s", value);
	}
	mi->n_attrs++;
}

static void rm_port(uint16_t *set, int *n, uint16_t p)
{
	int j = *n;

	for (int k = 0; k < *n; k++)
		if (set[k] == p)
			return;
	while (j > 0 && set[j - 1] > p) {
		set[j] = set[j - 1];
		j--;
	}
	set[j] = p;
	(*n)++;
}

static void rm_unport(uint16_t *set, int *n, uint16_t p)
{
	for (int k = 0; k < *n; k++)
		if (set[k] == p) {
			memmove(set + k, set + k + 1, (size_t)(*n - k - 1) * sizeof *set);
			(*n)--;
			return;
		}
}

/* A string of the pool, written into buf (the same address for every
 * instance: a memo keyed by the address would answer wrong), or NULL. */
static const char *pick(gsl_rng *r, char *buf, const char *const *pool, int n, int null_ok)
{
	unsigned long k = gsl_rng_uniform_int(r, (unsigned long)n + (null_ok ? 1 : 0));

	if (k == (unsigned long)n)
		return NULL;
	strcpy(buf, pool[k]);
	return buf;
}

/* A task with one host port placed on one of instances 0..n-1, in one of
 * RM_GROUPS groups (more than a record holds), or one of those placed
 * leaving: the port sets grow past what a record holds and shrink, the
 * records' group counts move, also while the arrays grow. */
static void task_step(struct cluster *cl, struct rm *m, gsl_rng *r, int32_t n)
{
	struct place_req q = { .cpu_units = 1, .mem_mib = 1 };
	struct rm_task t;
	struct rm_inst *mi;
	int k = -1;

	if (m->n_tasks == 0 || (m->n_tasks < RM_TASKS && gsl_rng_uniform(r) < 0.6)) {
		t.i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)n);
		t.udp = (int)gsl_rng_uniform_int(r, 2);
		t.port = (uint16_t)(100 + gsl_rng_uniform_int(r, 24));
		t.g = (int)gsl_rng_uniform_int(r, RM_GROUPS);
		for (int j = 0; j < m->in[t.i].n_ports[t.udp]; j++)
			if (m->in[t.i].ports[t.udp][j] == t.port)
				return;                 /* (a placement would not take it) */
	} else {
		k = (int)gsl_rng_uniform_int(r, (unsigned long)m->n_tasks);
		t = m->t[k];
	}
	mi = &m->in[t.i];
	if (t.udp)
		q.ports_udp = &t.port, q.n_ports_udp = 1;
	else
		q.ports_tcp = &t.port, q.n_ports_tcp = 1;
	if (k < 0) {
		cluster_reserve(cl, t.i, &q, m->g[t.g]);
		rm_port(mi->ports[t.udp], &mi->n_ports[t.udp], t.port);
		mi->tasks[t.g]++;
		m->t[m->n_tasks++] = t;
	} else {
		cluster_release(cl, t.i, &q, m->g[t.g]);
		rm_unport(mi->ports[t.udp], &mi->n_ports[t.udp], t.port);
		mi->tasks[t.g]--;
		m->t[k] = m->t[--m->n_tasks];
	}
}

static void check_instance(struct cluster *cl, const struct rm *m, int32_t i)
{
	const struct rm_inst *mi = &m->in[i];
	const char *v;
	const uint16_t *p;
	int bad = 0;

	T_STREQ(cluster_id(cl, i), mi->id);
	T_STREQ(cluster_ec2_id(cl, i), mi->ec2);
	if (mi->has_version)
		T_STREQ(cluster_agent_version(cl, i), mi->version);
	else
		CU_ASSERT_PTR_NULL(cluster_agent_version(cl, i));
	T_STREQ(cluster_type(cl, i), mi->type);
	T_STREQ(cluster_az(cl, i), mi->az);
	/* every string the model knows (the built-in names among them) as a
	 * name: present exactly when in the list, with its value */
	for (int s = 0; s < m->n_strs; s++) {
		int k = 0, got = cluster_attribute(cl, i, m->strs[s], &v);

		while (k < mi->n_attrs && strcmp(mi->names[k], m->strs[s]) != 0)
			k++;
		if (got != (k < mi->n_attrs))
			bad++;
		else if (got && (mi->has_value[k] ? !v || strcmp(v, mi->values[k]) != 0 : v != NULL))
			bad++;
	}
	T_EQ(bad, 0);
	for (int k = 0, all = 0; k < RM_GROUPS; k++) {
		T_EQ(cluster_group_tasks_on(cl, i, m->g[k]), mi->tasks[k]);
		all += mi->tasks[k];
		if (k == RM_GROUPS - 1)
			T_EQ(cluster_tasks_on(cl, i), all);
	}
	for (int u = 0; u < 2; u++) {
		int n = cluster_ports(cl, i, u, &p);

		T_EQ(n, mi->n_ports[u]);
		if (n == mi->n_ports[u] && n > 0 && memcmp(p, mi->ports[u], (size_t)n * sizeof *p) != 0)
			T_FAIL("reserved ports differ from the model's");
	}
}

static void test_register_model(void)
{
	static const char *const types[] = { "m5.large", "m5.xlarge", "" };
	static const char *const azs[] = { "us-east-1a", "us-east-1b", "us-east-1c" };
	static const char *const oses[] = { "linux", "windows" };
	static const char *const fams[] = { "LINUX", "WINDOWS_SERVER_2022_FULL" };
	static const char *const arches[] = { "x86_64", "arm64" };
	static const char *const amis[] = { "ami-1", "ami-2" };
	static const char *const versions[] = { "1.86.0", "1.87.0" };
	/* names that repeat the built-ins and each other, prefixes, the empty one */
	static const char *const names[] = { "stack", "st", "s", "", "ecs.os-type",
					     "ecs.availability-zone", "ecs.capability.task-eni",
					     "zone", "stack2" };
	static const char *const values[] = { "blue", "b", "", "linux", "us-east-1a", "m5.large",
					      "green" };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct rm *m = calloc(1, sizeof *m);
	char fbuf[8][32], nbuf[RM_ATTRS][32], vbuf[RM_ATTRS][32], idbuf[24], ecbuf[24];
	struct inst_attr at[RM_ATTRS];
	uint16_t tcp[12], udp[12];
	struct cluster *cl;

	gsl_rng_set(r, 20261201);
	for (int round = 0; round < 6; round++) {
		int n_inst = round == 0 ? RM_INSTS : 60;

		cl = cluster_new();
		memset(m, 0, sizeof *m);
		for (int k = 0; k < RM_GROUPS; k++) {
			char gn[24];

			snprintf(gn, sizeof gn, "family:%d", k);
			m->g[k] = cluster_group(cl, gn);
		}
		/* the names cluster_new interns, in its order */
		rm_intern(m, "ecs.availability-zone");
		rm_intern(m, "ecs.instance-type");
		rm_intern(m, "ecs.os-type");
		rm_intern(m, "ecs.os-family");
		rm_intern(m, "ecs.cpu-architecture");
		rm_intern(m, "ecs.ami-id");
		rm_intern(m, "ecs.capability.task-eni");
		for (int32_t i = 0; i < n_inst; i++) {
			struct instance_spec sp;
			struct rm_inst *mi = &m->in[i];
			/* runs of like instances (the memo's case), and changes */
			int same = i > 0 && gsl_rng_uniform(r) < 0.6;
			int n_tcp = 0, n_udp = 0;

			memset(&sp, 0, sizeof sp);
			sp.instance_type = pick(r, fbuf[0], types, 3, 1);
			sp.az = pick(r, fbuf[1], azs, same ? 1 : 3, 1);
			sp.os_type = pick(r, fbuf[2], oses, 2, 1);
			sp.os_family = pick(r, fbuf[3], fams, 2, 1);
			sp.cpu_arch = pick(r, fbuf[4], arches, same ? 1 : 2, 1);
			sp.ami_id = pick(r, fbuf[5], amis, 2, 1);
			sp.agent_version = pick(r, fbuf[6], versions, 2, 1);
			if (gsl_rng_uniform(r) < 0.3) {
				snprintf(idbuf, sizeof idbuf, "i-%d", (int)gsl_rng_uniform_int(r, 100000));
				sp.id = idbuf;
			}
			if (gsl_rng_uniform(r) < 0.3) {
				snprintf(ecbuf, sizeof ecbuf, "e-%d", (int)gsl_rng_uniform_int(r, 100000));
				sp.ec2_instance_id = ecbuf;
			}
			/* up to 20 attributes (past the memo's 13), once past the 64 on the stack */
			sp.n_attrs = round == 1 && i == 7 ? RM_ATTRS - 6
						       : (int)gsl_rng_uniform_int(r, 21);
			for (int k = 0; k < sp.n_attrs; k++) {
				at[k].name = pick(r, nbuf[k], names, same ? 3 : 9, 0);
				at[k].value = pick(r, vbuf[k], values, same ? 2 : 7, 1);
			}
			sp.attrs = at;
			if (gsl_rng_uniform(r) < 0.3) {        /* unsorted, duplicates, past PS_IN */
				n_tcp = (int)gsl_rng_uniform_int(r, 13);
				for (int k = 0; k < n_tcp; k++)
					tcp[k] = (uint16_t)(1 + gsl_rng_uniform_int(r, 20));
				sp.reserved_tcp = tcp;
				sp.n_reserved_tcp = n_tcp;
			}
			if (gsl_rng_uniform(r) < 0.3) {
				n_udp = (int)gsl_rng_uniform_int(r, 13);
				for (int k = 0; k < n_udp; k++)
					udp[k] = (uint16_t)(1 + gsl_rng_uniform_int(r, 20));
				sp.reserved_udp = udp;
				sp.n_reserved_udp = n_udp;
			}
			sp.cpu_units = 1 << 20;
			sp.mem_mib = 1 << 20;
			T_EQ(cluster_add(cl, &sp), i);
			/* the model, from the spec's strings */
			snprintf(mi->id, sizeof mi->id, "%s", sp.id ? sp.id : "");
			if (!sp.id)
				snprintf(mi->id, sizeof mi->id, "ci-%d", (int)i);
			snprintf(mi->ec2, sizeof mi->ec2, "%s", sp.ec2_instance_id ? sp.ec2_instance_id : mi->id);
			mi->has_version = sp.agent_version != NULL;
			if (sp.agent_version)
				snprintf(mi->version, sizeof mi->version, "%s", sp.agent_version);
			snprintf(mi->type, sizeof mi->type, "%s", sp.instance_type ? sp.instance_type : "");
			snprintf(mi->az, sizeof mi->az, "%s", sp.az ? sp.az : "");
			rm_intern(m, mi->type);
			rm_intern(m, mi->az);
			{
				/* D1: the built-ins from the fields, in this order */
				const char *const builtin[][2] = {
					{ "ecs.availability-zone", sp.az },
					{ "ecs.instance-type", sp.instance_type },
					{ "ecs.os-type", sp.os_type },
					{ "ecs.os-family", sp.os_family },
					{ "ecs.cpu-architecture", sp.cpu_arch },
					{ "ecs.ami-id", sp.ami_id },
				};

				for (size_t b = 0; b < sizeof builtin / sizeof *builtin; b++)
					if (builtin[b][1])
						rm_attr(m, mi, builtin[b][0], builtin[b][1]);
			}
			for (int k = 0; k < sp.n_attrs; k++)
				rm_attr(m, mi, at[k].name, at[k].value);
			if (sp.reserved_tcp) {
				for (int k = 0; k < n_tcp; k++)
					rm_port(mi->ports[0], &mi->n_ports[0], tcp[k]);
			} else {
				static const uint16_t lin[] = { 22, 2375, 2376, 51678, 51679 };
				static const uint16_t win[] = { 53, 135, 139, 445, 2375, 2376, 3389, 5985,
								5986, 51678, 51679 };
				int w = sp.os_type && strcmp(sp.os_type, "windows") == 0;

				for (int k = 0; k < (w ? 11 : 5); k++)
					rm_port(mi->ports[0], &mi->n_ports[0], w ? win[k] : lin[k]);
			}
			for (int k = 0; k < n_udp; k++)
				rm_port(mi->ports[1], &mi->n_ports[1], udp[k]);
			/* the buffers rewritten: nothing of the spec may be kept by address */
			for (int k = 0; k < 8; k++)
				snprintf(fbuf[k], sizeof fbuf[k], "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
			for (int k = 0; k < RM_ATTRS; k++) {
				snprintf(nbuf[k], sizeof nbuf[k], "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
				snprintf(vbuf[k], sizeof vbuf[k], "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
			}
			snprintf(idbuf, sizeof idbuf, "zzzzzzzz");
			snprintf(ecbuf, sizeof ecbuf, "zzzzzzzz");
			for (int k = 0; k < 4; k++)            /* tasks while the arrays grow */
				task_step(cl, m, r, i + 1);
			if (i % 7 == 0)
				check_instance(cl, m, i / 2);
		}
		for (int step = 0; step < 3000; step++)
			task_step(cl, m, r, n_inst);
		/* every id in first-appearance order; a name never interned has none */
		for (int s = 0; s < m->n_strs; s++)
			T_EQ(cluster_attr_id(cl, m->strs[s]), s);
		T_EQ(cluster_attr_id(cl, "never"), STRTAB_NONE);
		for (int32_t i = 0; i < n_inst; i++)
			check_instance(cl, m, i);
		cluster_free(cl);
	}
	free(m);
	gsl_rng_free(r);
}

/* Room held for tasks to come (a DAEMON's, docs/ecs-model.md §4.10):
 * taken off what placement sees, never counted as reserved by a task, what
 * is free taken at once and the rest as room frees (a release there tops
 * it up first), given back for the holder's own placement and dropped when
 * the instance leaves ACTIVE. */
static void test_holds(void)
{
	struct cluster *cl = cluster_new();
	struct place_req app = { .cpu_units = 1024, .mem_mib = 1000 };
	struct place_req d1 = { .cpu_units = 256, .mem_mib = 300, .eni = 1 };
	struct place_req d2 = { .cpu_units = 512, .mem_mib = 100 };
	struct cluster_totals t;
	uint32_t g = cluster_group(cl, "service:web"), h1 = cluster_group(cl, "service:log"),
		 h2 = cluster_group(cl, "service:mon");
	int64_t cpu, mem;
	int eni;

	add(cl, "us-east-1a", "linux", 2048, 7985, NULL);
	add(cl, "us-east-1a", "linux", 2048, 7985, NULL);
	T_EQ(cluster_n_holding(cl), 0);
	cluster_hold(cl, 0, h1, &d1);
	T_EQ(cluster_n_holding(cl), 1);
	T_EQ(cluster_holds(cl, 0, h1), 1);
	T_EQ(cluster_holds(cl, 0, h2), 0);
	T_EQ(cluster_cpu_remaining(cl, 0), 1792);
	T_EQ(cluster_mem_remaining(cl, 0), 7685);
	T_EQ(cluster_eni_free(cl, 0), 1);
	cluster_totals(cl, &t);
	T_EQ(t.cpu_reserved, 0);           /* no task's */
	T_EQ(t.tasks, 0);
	T_EQ(t.n_used, 0);
	T_EQ(cluster_tasks_on(cl, 0), 0);
	/* a full instance: the hold waits and takes the room a release frees */
	cluster_reserve(cl, 1, &app, g);
	cluster_reserve(cl, 1, &app, g);
	cluster_hold(cl, 1, h1, &d1);
	cluster_held(cl, 1, &cpu, &mem, &eni);
	T_EQ(cpu, 0);
	T_EQ(mem, 300);
	T_EQ(eni, 1);
	T_EQ(cluster_cpu_remaining(cl, 1), 0);
	cluster_release(cl, 1, &app, g);
	cluster_held(cl, 1, &cpu, &mem, &eni);
	T_EQ(cpu, 256);
	T_EQ(cluster_cpu_remaining(cl, 1), 768);
	cluster_totals(cl, &t);
	T_EQ(t.cpu_reserved, 1024);
	/* two holders; the holder's own placement takes the held room */
	cluster_hold(cl, 1, h2, &d2);
	T_EQ(cluster_cpu_remaining(cl, 1), 256);
	cluster_hold_open(cl, 1, h1);
	T_EQ(cluster_cpu_remaining(cl, 1), 512);          /* h1's own 256 only: h2's 512 stays held */
	cluster_reserve(cl, 1, &d1, h1);
	cluster_unhold(cl, 1, h1);
	T_EQ(cluster_holds(cl, 1, h1), 0);
	T_EQ(cluster_holds(cl, 1, h2), 1);
	T_EQ(cluster_cpu_remaining(cl, 1), 256);          /* 2048 - 1024 - 256 - 512 held */
	cluster_held(cl, 1, &cpu, &mem, &eni);
	T_EQ(cpu, 512);
	T_EQ(eni, 0);
	/* a resized hold (a redeployed daemon) */
	cluster_hold(cl, 1, h2, &d1);
	T_EQ(cluster_cpu_remaining(cl, 1), 512);
	/* leaving ACTIVE drops every hold there; none is made off ACTIVE */
	cluster_set_status(cl, 1, INST_DRAINING);
	T_EQ(cluster_n_holding(cl), 1);
	T_EQ(cluster_holds(cl, 1, h2), 0);
	T_EQ(cluster_cpu_remaining(cl, 1), 768);
	cluster_hold(cl, 1, h2, &d1);
	T_EQ(cluster_holds(cl, 1, h2), 0);
	cluster_totals(cl, &t);
	T_EQ(t.cpu_reserved, 1280);
	cluster_set_status(cl, 1, INST_ACTIVE);
	cluster_totals(cl, &t);
	T_EQ(t.cpu_reserved, 1280);
	cluster_unhold(cl, 0, h1);
	T_EQ(cluster_n_holding(cl), 0);
	T_EQ(cluster_cpu_remaining(cl, 0), 2048);
	T_EQ(cluster_eni_free(cl, 0), 2);
	cluster_free(cl);
}

/* Holds among random reserves, releases and status changes: the indexes
 * stay exact, remaining = registered - tasks - held, a hold is never
 * short while room it lacks is free, and the totals count tasks only. */
static void test_holds_random(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct cluster *cl = cluster_new();
	struct task {
		int32_t i;
		struct place_req q;
	} *tasks = calloc(2000, sizeof *tasks);
	struct place_req hq[2] = { { .cpu_units = 256, .mem_mib = 512, .eni = 1 }, { .cpu_units = 384, .mem_mib = 128 } };
	int n_tasks = 0, a, ok = 1;
	uint32_t g = cluster_group(cl, "service:web"), hg[2];

	hg[0] = cluster_group(cl, "service:log");
	hg[1] = cluster_group(cl, "service:mon");
	gsl_rng_set(r, 7);
	for (int k = 0; k < 20; k++)
		add(cl, k % 2 ? "us-east-1a" : "us-east-1b", "linux", 2048, 4000, k % 3 ? "blue" : "green");
	a = cluster_spread_attr(cl, "stack");
	for (int step = 0; step < 4000 && ok; step++) {
		unsigned long op = gsl_rng_uniform_int(r, 12);
		int32_t i = (int32_t)gsl_rng_uniform_int(r, (unsigned long)cluster_count(cl));
		int64_t tcpu = 0, tmem = 0, rcpu = 0, rmem = 0;

		if (op < 5 && n_tasks < 2000) {
			struct place_req q = { .cpu_units = 128 * (int64_t)gsl_rng_uniform_int(r, 6) };

			q.mem_mib = 256 * (int64_t)gsl_rng_uniform_int(r, 6);    /* (after: sequenced) */
			q.eni = gsl_rng_uniform_int(r, 4) == 0;

			if (cluster_cpu_remaining(cl, i) >= q.cpu_units && cluster_mem_remaining(cl, i) >= q.mem_mib &&
			    (!q.eni || cluster_eni_free(cl, i) > 0) && cluster_status(cl, i) != INST_INACTIVE) {
				cluster_reserve(cl, i, &q, g);
				tasks[n_tasks].i = i;
				tasks[n_tasks++].q = q;
			}
		} else if (op < 8 && n_tasks > 0) {
			int k = (int)gsl_rng_uniform_int(r, (unsigned long)n_tasks);

			cluster_release(cl, tasks[k].i, &tasks[k].q, g);
			tasks[k] = tasks[--n_tasks];
		} else if (op < 10) {
			int h = (int)gsl_rng_uniform_int(r, 2);

			if (gsl_rng_uniform_int(r, 3))
				cluster_hold(cl, i, hg[h], &hq[h]);
			else
				cluster_unhold(cl, i, hg[h]);
		} else if (op == 10) {
			/* a holder's room opened and taken again: no holder
			 * ends with less than it had (choice E146) */
			int64_t bc[2], bm[2], ac, am;
			int be[2], ae, h = (int)gsl_rng_uniform_int(r, 2);

			for (int k = 0; k < 2; k++)
				cluster_hold_share(cl, i, hg[k], &bc[k], &bm[k], &be[k]);
			cluster_hold_open(cl, i, hg[h]);
			cluster_hold_share(cl, i, hg[h], &ac, &am, &ae);
			ok &= ac == 0 && am == 0 && ae == 0;
			cluster_hold_share(cl, i, hg[1 - h], &ac, &am, &ae);
			ok &= ac == bc[1 - h] && am == bm[1 - h] && ae == be[1 - h];
			cluster_hold_fill(cl, i);
			for (int k = 0; k < 2; k++) {
				cluster_hold_share(cl, i, hg[k], &ac, &am, &ae);
				ok &= ac >= bc[k] && am >= bm[k] && ae >= be[k];
			}
		} else {
			switch (gsl_rng_uniform_int(r, 5)) {
			case 0: cluster_set_status(cl, i, INST_DRAINING); break;
			case 1: cluster_set_status(cl, i, INST_ACTIVE); break;
			case 2: cluster_set_agent_connected(cl, i, 0); break;
			case 3: cluster_set_agent_connected(cl, i, 1); break;
			default: if (gsl_rng_uniform_int(r, 20) == 0) cluster_set_status(cl, i, INST_INACTIVE);
			}
		}
		for (int32_t j = 0; j < cluster_count(cl); j++) {
			int64_t cpu = 0, mem = 0, hc, hm;
			int eni = 0, he, want_c = 0, want_m = 0, want_e = 0;

			if (cluster_status(cl, j) == INST_INACTIVE)
				continue;
			for (int k = 0; k < n_tasks; k++)
				if (tasks[k].i == j) {
					cpu += tasks[k].q.cpu_units;
					mem += tasks[k].q.mem_mib;
					eni += tasks[k].q.eni;
				}
			cluster_held(cl, j, &hc, &hm, &he);
			{
				/* the held room is the holders' own shares, none past its want */
				int64_t sc = 0, sm = 0, c1, m1;
				int se = 0, e1;

				for (int h = 0; h < 2; h++) {
					cluster_hold_share(cl, j, hg[h], &c1, &m1, &e1);
					ok &= c1 >= 0 && m1 >= 0 && e1 >= 0;
					ok &= !cluster_holds(cl, j, hg[h]) || (c1 <= hq[h].cpu_units && m1 <= hq[h].mem_mib && e1 <= hq[h].eni);
					sc += c1;
					sm += m1;
					se += e1;
				}
				ok &= sc == hc && sm == hm && se == he;
			}
			for (int h = 0; h < 2; h++)
				if (cluster_holds(cl, j, hg[h])) {
					want_c += (int)hq[h].cpu_units;
					want_m += (int)hq[h].mem_mib;
					want_e += hq[h].eni;
				}
			ok &= cluster_cpu_remaining(cl, j) == cluster_cpu_registered(cl, j) - cpu - hc;
			ok &= cluster_mem_remaining(cl, j) == cluster_mem_registered(cl, j) - mem - hm;
			ok &= cluster_eni_free(cl, j) == 2 - eni - he;
			ok &= hc <= want_c && hm <= want_m && he <= want_e;
			ok &= hc == want_c || cluster_cpu_remaining(cl, j) <= 0;
			ok &= hm == want_m || cluster_mem_remaining(cl, j) <= 0;
			ok &= he == want_e || cluster_eni_free(cl, j) <= 0;
			ok &= cluster_status(cl, j) == INST_ACTIVE || (hc == 0 && hm == 0 && he == 0 && want_c == 0);
			tcpu += cpu;
			tmem += mem;
		}
		{
			struct cluster_totals t;

			cluster_totals(cl, &t);
			for (int32_t j = 0; j < cluster_count(cl); j++)
				if (cluster_status(cl, j) == INST_ACTIVE || cluster_status(cl, j) == INST_DRAINING)
					for (int k = 0; k < n_tasks; k++)
						if (tasks[k].i == j) {
							rcpu += tasks[k].q.cpu_units;
							rmem += tasks[k].q.mem_mib;
						}
			ok &= t.cpu_reserved == rcpu && t.mem_reserved == rmem;
		}
		(void)tcpu;
		(void)tmem;
		if (step % 100 == 0)
			ok &= check_indexes(cl, a, g);
		if (!ok)
			fprintf(stderr, "\n  holds: step %d breaks the accounting\n", step);
	}
	CU_ASSERT(ok);
	CU_ASSERT(check_indexes(cl, a, g));
	free(tasks);
	cluster_free(cl);
	gsl_rng_free(r);
}

static CU_TestInfo cluster_tests[] = {
	{ "registration, built-in attributes, agent ports", test_register },
	{ "registration against a plain model: attributes, ids, ports, groups", test_register_model },
	{ "reserve and release accounting, totals", test_accounting },
	{ "DRAINING, agent, INACTIVE", test_statuses },
	{ "the live instances and zones with a placeable one: against a pass", test_live_oracle },
	{ "holds: room kept for tasks to come", test_holds },
	{ "holds stay exact under random operations", test_holds_random },
	{ "indexes stay exact under random operations", test_indexes_random },
	{ "index walks stay exact as entries move in deep trees", test_index_moves },
	{ "group counts stay exact under churn of many groups", test_group_churn },
	{ "indexes equal a brute-force sort as amounts jump anywhere", test_index_brute },
	{ "queries past the 32-bit amounts rank after every member", test_index_far_keys },
	{ "a leaf's shifts agree with a sorted array after every move", test_leaf_shifts },
	{ "a leaf's max counts the entries at INT32_MIN, the aux padding's value", test_leaf_aux_min },
	{ "a run's end told by its leaf: every run length, up to the last entry", test_run_ends },
	{ "spread levels agree with a plain scan of sizes and counts", test_spread_levels },
	{ "a spread level's probes agree with plain scans in deep trees", test_spread_lower },
	{ "unranked probes pass the children short of the other resource exactly", test_probe_skips },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ .pName = "cluster", .pTests = cluster_tests },
	CU_SUITE_INFO_NULL,
};
