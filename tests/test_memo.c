/* tests/test_memo.c — the memo of recent names in front of a look-up
 * (sim/name_memo.h), and the two look-ups it fronts: a trace row's task
 * definition (scenario_taskdef) and RunTask's group (cluster_group).
 *
 * The memo must answer exactly as the look-up behind it: names that are
 * prefixes of each other ("g", "g1", "g12"), the empty name, names too
 * long to be kept, more distinct names than entries (so entries are
 * replaced), in a random order.  End to end, every task of a trace whose
 * rows name such task definitions and groups at random carries the ones
 * its row named (tasks.csv).  And sim/inum.h, the numbering of integer
 * keys as met, against a plain list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "helpers/runscn.h"
#include "helpers/tutil.h"
#include "sim/inum.h"
#include "sim/name_memo.h"
#include "sim/strtab.h"

/* Names that share prefixes, the empty one, and two past NAME_MEMO_LEN - 1. */
static const char *const pool[] = {
	"g", "g1", "g12", "g123", "h", "", "gg", "g2",
	"abcdefghijklmnopqrstuvwxyz0",          /* 27 bytes: the longest kept */
	"abcdefghijklmnopqrstuvwxyz01",         /* 28: not kept */
	"abcdefghijklmnopqrstuvwxyz0123456789", /* longer */
	"abcdefghijklmnopqrstuvwxyz",
};
#define N_POOL ((int)(sizeof pool / sizeof pool[0]))

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
	return *x >> 33;
}

/* The memo's answer for pool[k], filled from the pool's index on a miss
 * (the look-up behind: pool position + 100). */
static int32_t lookup(struct name_memo *m, const char *s, int *hit)
{
	int32_t v = -1;

	*hit = name_memo_get(m, s, &v);
	if (*hit)
		return v;
	for (int k = 0; k < N_POOL; k++)
		if (strcmp(pool[k], s) == 0)
			v = 100 + k;
	name_memo_put(m, s, v);
	return v;
}

/* Random look-ups from the pool (a copy of the name each time, as a trace
 * row's field is), over a few pool sizes: the answer is always the
 * name's own; a name looked up twice in a row hits unless too long. */
static void test_memo_random(void)
{
	uint64_t x = 12345;
	int wrong = 0, hits = 0, bad_hit = 0;

	for (int size = 1; size <= N_POOL; size++) {
		struct name_memo m;

		memset(&m, 0, sizeof m);
		for (int i = 0; i < 20000; i++) {
			int k = (int)(lcg(&x) % (uint64_t)size), hit;
			char copy[64];

			snprintf(copy, sizeof copy, "%s", pool[k]);
			wrong += lookup(&m, copy, &hit) != 100 + k;
			hits += hit;
			if (lookup(&m, copy, &hit) != 100 + k)
				wrong++;
			bad_hit += hit != (strlen(pool[k]) < NAME_MEMO_LEN);
		}
	}
	T_EQ(wrong, 0);
	T_EQ(bad_hit, 0);
	CU_ASSERT(hits > 0);
}

/* A zeroed memo holds nothing, not even the empty name. */
static void test_memo_empty(void)
{
	struct name_memo m;
	int32_t v = -7;

	memset(&m, 0, sizeof m);
	T_EQ(name_memo_get(&m, "", &v), 0);
	T_EQ(name_memo_get(&m, "g", &v), 0);
	T_EQ(v, -7);
	name_memo_put(&m, "g1", 5);
	T_EQ(name_memo_get(&m, "g", &v), 0);
	T_EQ(name_memo_get(&m, "g12", &v), 0);
	T_EQ(name_memo_get(&m, "g1", &v), 1);
	T_EQ(v, 5);
}

/* ---- end to end: task definitions and groups of trace rows --------------- */

static const char *const tds[] = { "a", "ab", "abc", "b", "ba", "c", "abcdefghijklmnopqrstuvwxyz0123" };
#define N_TDS ((int)(sizeof tds / sizeof tds[0]))

static int setup(void)
{
	if (rs_setup())
		return 1;
	for (int i = 0; i < N_TDS; i++) {
		char name[80], json[300];

		snprintf(name, sizeof name, "%s.json", tds[i]);
		snprintf(json, sizeof json, "{\"family\":\"fam-%s\",\"containerDefinitions\":"
			 "[{\"name\":\"c\",\"image\":\"x\",\"cpu\":16,\"memory\":32}]}", tds[i]);
		rs_write(name, json);
	}
	return 0;
}

static int teardown(void)
{
	return rs_teardown();
}

/* 400 run_task rows, each a named task (t<k>) of a random task definition
 * and group from sets larger than the memo, with names that are prefixes
 * of each other; each task in tasks.csv has its row's family and group
 * (an empty group: the family's, "family:fam-<name>"). */
static void test_trace_names(void)
{
	enum { ROWS = 400 };
	char *json = malloc(4096), *csv = malloc(ROWS * 160 + 100);
	size_t n = 0, len = 0;
	uint64_t x = 777;
	int tdk[ROWS], gk[ROWS], wrong_td = 0, wrong_g = 0;

	n += (size_t)snprintf(json + n, 4096 - n,
			      "{\"durationSeconds\":3600,\"region\":\"us-east-1\","
			      "\"availabilityZones\":[\"us-east-1a\"],"
			      "\"instanceGroups\":[{\"name\":\"big\",\"instanceType\":\"m5.4xlarge\","
			      "\"availabilityZone\":\"us-east-1a\",\"count\":4}],\"taskDefinitions\":{");
	for (int i = 0; i < N_TDS; i++)
		n += (size_t)snprintf(json + n, 4096 - n, "%s\"%s\":\"%s.json\"", i ? "," : "",
				      tds[i], tds[i]);
	snprintf(json + n, 4096 - n, "},\"workload\":{\"traces\":[\"names.csv\"]}}");
	rs_write("names.json", json);
	len += (size_t)sprintf(csv + len, "time_s,event,target,taskdef,count,duration_s,group\n");
	for (int k = 0; k < ROWS; k++) {
		tdk[k] = (int)(lcg(&x) % N_TDS);
		gk[k] = (int)(lcg(&x) % N_POOL);
		len += (size_t)sprintf(csv + len, "%d.%03d,run_task,t%d,%s,1,5,%s\n", k / 10,
				       (k % 10) * 100, k, tds[tdk[k]], pool[gk[k]]);
	}
	rs_write("names.csv", csv);
	CU_ASSERT_EQUAL_FATAL(rs_run("names.json", "names", NULL, NULL, NULL), 0);
	T_EQ(rs_rows("names", "tasks.csv"), ROWS);
	for (int k = 0; k < ROWS; k++) {
		char id[16], fam[64], grp[80];
		int r;
		char *td, *g;

		snprintf(id, sizeof id, "t%d", k);
		r = rs_find("names", "tasks.csv", "task_id", id);
		CU_ASSERT_FATAL(r > 0);
		snprintf(fam, sizeof fam, "fam-%s", tds[tdk[k]]);
		if (pool[gk[k]][0])
			snprintf(grp, sizeof grp, "%s", pool[gk[k]]);
		else
			snprintf(grp, sizeof grp, "family:%s", fam);
		td = rs_cell("names", "tasks.csv", r, "taskdef");
		g = rs_cell("names", "tasks.csv", r, "group");
		wrong_td += !td || strcmp(td, fam) != 0;
		wrong_g += !g || strcmp(g, grp) != 0;
		free(td);
		free(g);
	}
	T_EQ(wrong_td, 0);
	T_EQ(wrong_g, 0);
	free(json);
	free(csv);
}

/* strtab_intern_hint against a plain list of first appearances: random
 * names of the pool (a copy each time, in one reused buffer), each with
 * one of a few hints that callers share and misuse: the hint this name
 * had, another name's, a stale or never-set one, one past the table's
 * end.  The id is always the name's first-appearance number, and the hint
 * ends as that id; a hint that was the name's own was answered without a
 * new string. */
static void test_strtab_hint(void)
{
	uint64_t x = 777;
	int wrong = 0, bad_hint = 0, bad_count = 0;

	for (int round = 0; round < 50; round++) {
		struct strtab *t = strtab_new();
		const char *order[N_POOL];
		int n = 0;
		uint32_t hints[6];

		for (int h = 0; h < 6; h++)
			hints[h] = STRTAB_NONE;
		for (int i = 0; i < 2000; i++) {
			int k = (int)(lcg(&x) % (uint64_t)N_POOL), h = (int)(lcg(&x) % 6), id = -1;
			char copy[64];
			uint32_t got;

			if (lcg(&x) % 10 == 0)
				hints[h] = (uint32_t)(lcg(&x) % 40);     /* any number, past the end too */
			snprintf(copy, sizeof copy, "%s", pool[k]);
			got = strtab_intern_hint(t, copy, &hints[h]);
			snprintf(copy, sizeof copy, "#");            /* the buffer rewritten */
			for (int j = 0; j < n; j++)
				if (strcmp(order[j], pool[k]) == 0)
					id = j;
			if (id < 0) {
				order[n] = pool[k];
				id = n++;
			}
			wrong += got != (uint32_t)id;
			bad_hint += hints[h] != (uint32_t)id;
			bad_count += strtab_count(t) != (uint32_t)n;
		}
		for (int j = 0; j < n; j++)
			wrong += strtab_find(t, order[j]) != (uint32_t)j || strcmp(strtab_str(t, (uint32_t)j), order[j]) != 0;
		strtab_free(t);
	}
	T_EQ(wrong, 0);
	T_EQ(bad_hint, 0);
	T_EQ(bad_count, 0);
}

/* strtab_find_hint against strtab_find: a table of half the pool, random
 * names of the whole pool (so some were never interned) looked up with
 * shared, misused hints as above.  The answer is always strtab_find's; a
 * name in the table leaves its id in the hint, a name not in it leaves the
 * hint as it was. */
static void test_strtab_find_hint(void)
{
	uint64_t x = 4242;
	int wrong = 0, bad_hint = 0;
	struct strtab *t = strtab_new();
	uint32_t hints[6];

	for (int k = 0; k < N_POOL; k += 2)
		strtab_intern(t, pool[k]);
	for (int h = 0; h < 6; h++)
		hints[h] = (uint32_t)h;
	for (int i = 0; i < 20000; i++) {
		int k = (int)(lcg(&x) % (uint64_t)N_POOL), h = (int)(lcg(&x) % 6);
		uint32_t want = strtab_find(t, pool[k]), before, got;
		char copy[64];

		if (lcg(&x) % 10 == 0)
			hints[h] = (uint32_t)(lcg(&x) % 40);     /* any number, past the end too */
		before = hints[h];
		snprintf(copy, sizeof copy, "%s", pool[k]);
		got = strtab_find_hint(t, copy, &hints[h]);
		wrong += got != want;
		bad_hint += hints[h] != (want == STRTAB_NONE ? before : want);
	}
	strtab_free(t);
	T_EQ(wrong, 0);
	T_EQ(bad_hint, 0);
}

/* sim/inum.h against a plain list of first appearances: random keys over
 * ranges from a handful to past 2^30 (keys that collide in a small table,
 * keys whose hash wraps around its end), rounds of numbering reusing the
 * table (a reset to a size it had, to a new one), each key's number
 * checked at its put and every key's (and some never put) by get after
 * each round. */
static void test_inum(void)
{
	static const int32_t ranges[] = { 3, 40, 1000, 1 << 20, INT32_MAX };
	enum { MAXK = 300 };
	struct inum m = { 0 };
	int32_t seen[MAXK];
	uint64_t x = 7;
	int wrong = 0, wrong_get = 0, rounds = 0;

	for (int r = 0; r < 40; r++) {
		int32_t range = ranges[r % 5];
		size_t max = (size_t)1 + lcg(&x) % MAXK;
		int n = 0;

		inum_reset(&m, max);
		for (size_t k = 0; k < 3 * max; k++) {
			int32_t key = (int32_t)(lcg(&x) % (uint64_t)range), want = -1, got;

			for (int j = 0; j < n; j++)
				if (seen[j] == key)
					want = j;
			if (want < 0) {
				if ((size_t)n == max)
					continue;       /* (past the keys it was sized for) */
				seen[n] = key;
				want = n++;
			}
			got = inum_put(&m, key);
			wrong += got != want;
		}
		for (int j = 0; j < n; j++)
			wrong_get += inum_get(&m, seen[j]) != j;
		for (int k = 0; k < 50; k++) {
			int32_t key = (int32_t)(lcg(&x) % (uint64_t)range), want = -1;

			for (int j = 0; j < n; j++)
				if (seen[j] == key)
					want = j;
			wrong_get += inum_get(&m, key) != want;
		}
		rounds += n > 0;
	}
	inum_free(&m);
	T_EQ(wrong, 0);
	T_EQ(wrong_get, 0);
	T_EQ(rounds, 40);
}

static CU_TestInfo memo_tests[] = {
	{ "random look-ups answer as the look-up behind", test_memo_random },
	{ "a zeroed memo is empty", test_memo_empty },
	{ "strtab_intern_hint answers as a plain list of first appearances", test_strtab_hint },
	{ "strtab_find_hint answers as strtab_find", test_strtab_find_hint },
	{ "inum numbers keys as a plain list of first appearances", test_inum },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo trace_tests[] = {
	{ "trace rows' task definitions and groups", test_trace_names },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "name_memo", NULL, NULL, NULL, NULL, memo_tests },
	{ "trace_names", setup, teardown, NULL, NULL, trace_tests },
	CU_SUITE_INFO_NULL,
};
