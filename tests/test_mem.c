/* tests/test_mem.c — sim/mem.c: the pool of blocks (xpool, test_pool), and
 * xgrow_aligned: an array of over-aligned elements (the backplane's tasks,
 * the agents) grown by realloc keeps every element, and each starts on its
 * alignment, whatever address the grown block gets.  Many arrays grown one
 * element at a time, side by side with other allocations, so that realloc
 * moves blocks to addresses of every alignment (the elements must then be
 * moved within the block): the contents are compared after every growth
 * with what was written. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "helpers/tutil.h"

struct rec {
	uint64_t v[3];
} __attribute__((aligned(32)));   /* 32 bytes: two to a cache line */

#define N_ARR 24

static void test_grow_aligned(void)
{
	struct rec *arr[N_ARR] = { 0 };
	void *mem[N_ARR] = { 0 };
	size_t cap[N_ARR] = { 0 }, n[N_ARR] = { 0 };
	void *noise[64] = { 0 };
	uint64_t x = 12345;
	long shifted = 0, bad_align = 0, bad_data = 0;

	for (int step = 0; step < 6000; step++) {
		int k;
		size_t off = 0;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (int)(x >> 33) % N_ARR;
		/* other allocations come and go between the growths */
		free(noise[(x >> 20) % 64]);
		noise[(x >> 20) % 64] = malloc(16 + (x >> 40) % 200);
		if (arr[k])
			off = (size_t)((char *)arr[k] - (char *)mem[k]);
		xgrow_aligned(&mem[k], (void **)&arr[k], &cap[k], n[k] + 1, sizeof arr[k][0],
			      _Alignof(struct rec));
		if (n[k] > 0 && (size_t)((char *)arr[k] - (char *)mem[k]) != off)
			shifted++;
		arr[k][n[k]].v[0] = (uint64_t)k << 32 | n[k];
		arr[k][n[k]].v[1] = ~arr[k][n[k]].v[0];
		arr[k][n[k]].v[2] = x;
		n[k]++;
		if ((uintptr_t)arr[k] % _Alignof(struct rec) != 0)
			bad_align++;
		for (size_t i = 0; i < n[k]; i++)
			if (arr[k][i].v[0] != ((uint64_t)k << 32 | i) || arr[k][i].v[1] != ~arr[k][i].v[0])
				bad_data++;
	}
	T_EQ(bad_align, 0);
	T_EQ(bad_data, 0);
#ifndef __SANITIZE_ADDRESS__
	/* the elements had to move within grown blocks (the case a block
	 * kept in place never shows): glibc's blocks start at any multiple
	 * of 16 (the sanitizer's allocator aligns them alike, so there the
	 * case does not arise) */
	CU_ASSERT(shifted > 5);
#endif
	for (int k = 0; k < N_ARR; k++)
		free(mem[k]);
	for (int k = 0; k < 64; k++)
		free(noise[k]);
}

/* xpool: blocks of random sizes (none, tiny, a chunk's quarter and more,
 * several chunks' worth), each filled with its own pattern: every block
 * aligned to 8, none overlapping another (all patterns intact at the end),
 * xpool_strdup's copies equal; after xpool_free the pool is empty and
 * works again.  (make asan: no leak, no access past a block.) */
static void test_pool(void)
{
	enum { N = 3000 };
	static unsigned char *blk[N];
	static size_t len[N];
	uint64_t x = 99;
	long bad_align = 0, bad_data = 0, bad_str = 0;

	for (int round = 0; round < 2; round++) {
		struct xpool p;

		memset(&p, 0, sizeof p);
		for (int i = 0; i < N; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			switch ((x >> 33) % 8) {
			case 0: len[i] = 0; break;
			case 1: len[i] = 4096 + (x >> 40) % 9000; break;     /* a chunk of its own */
			default: len[i] = 1 + (x >> 40) % 64; break;
			}
			blk[i] = xpool_alloc(&p, len[i]);
			if ((uintptr_t)blk[i] % 8 != 0)
				bad_align++;
			memset(blk[i], (int)(i * 7 + 1), len[i]);
			if (i % 50 == 0) {
				char s[40];
				char *d;

				snprintf(s, sizeof s, "ci-%05d", i);
				d = xpool_strdup(&p, s);
				bad_str += strcmp(d, s) != 0 || (uintptr_t)d % 8 != 0;
			}
		}
		for (int i = 0; i < N; i++)
			for (size_t k = 0; k < len[i]; k++)
				if (blk[i][k] != (unsigned char)(i * 7 + 1))
					bad_data++;
		xpool_free(&p);
		T_EQ(p.chunk == NULL, 1);
	}
	T_EQ(bad_align, 0);
	T_EQ(bad_data, 0);
	T_EQ(bad_str, 0);
}

/* The VmFlags of the mapping of /proc/self/smaps that holds address a, if
 * it is the heap's ("[heap]"): 1 when they include hg (MADV_HUGEPAGE), 0
 * when not, -1 when a is not in the heap (or no smaps). */
static int heap_marked(const void *a)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, r = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)a >= lo && (uintptr_t)a < hi && strstr(line, "[heap]") != NULL;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			r = strstr(line, " hg") != NULL;
			break;
		}
	}
	fclose(f);
	return r;
}

/* xmem_hugepages (twice: the second call changes nothing), then blocks of
 * every size: small ones and xcalloc's (zeroed) from a few bytes to 40 MiB
 * (past 32 MiB: a mapping of its own), and one array grown by xrealloc from
 * 1 MiB to 128 MiB (the heap grows past its first 64 MiB, and a block
 * moves into a mapping) whose contents are checked after each growth.
 * Where the grown array is in glibc's heap (not a checker's allocator's
 * blocks), the mapping of its middle is marked for huge pages (its first
 * and last 2 MiB may not be: only whole aligned 2 MiB are marked). */
static void test_hugepages(void)
{
	static const size_t sizes[] = { 1, 100, 5000, 200000, 3 << 20, 40 << 20 };
	uint64_t *a = NULL;
	size_t n = 0;
	long bad_zero = 0, bad_data = 0;
	int marked = -1;

	xmem_hugepages();
	xmem_hugepages();
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		unsigned char *b = xcalloc(1, sizes[k]);
		unsigned char *m = xmalloc(sizes[k]);

		for (size_t i = 0; i < sizes[k]; i += 4093)
			bad_zero += b[i] != 0;
		bad_zero += b[sizes[k] - 1] != 0;
		memset(m, 0xa5, sizes[k]);
		free(b);
		free(m);
	}
	for (size_t cap = (1 << 20) / sizeof *a; cap <= (128u << 20) / sizeof *a; cap *= 2) {
		int h;

		a = xrealloc(a, cap * sizeof *a);
		for (size_t i = 0; i < n; i++)
			bad_data += a[i] != i * 2654435761u;
		for (; n < cap; n++)
			a[n] = n * 2654435761u;
		h = heap_marked(a + cap / 2);
		if (h >= 0)
			marked = h;
	}
	free(a);
	T_EQ(bad_zero, 0);
	T_EQ(bad_data, 0);
#if defined(__linux__) && defined(__GLIBC__)
	if (marked >= 0)
		T_EQ(marked, 1);
#endif
}

static CU_TestInfo mem_tests[] = {
	{ "xgrow_aligned keeps elements and alignment", test_grow_aligned },
	{ "xpool blocks are aligned, apart, and all freed", test_pool },
	{ "xmem_hugepages: blocks of every size keep their contents", test_hugepages },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "mem", NULL, NULL, NULL, NULL, mem_tests },
	CU_SUITE_INFO_NULL,
};
