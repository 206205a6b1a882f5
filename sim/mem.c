/* sim/mem.c — allocation wrappers; out of memory is fatal (exit 1). */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#define XMEM_THP 1
#endif

static void oom(size_t n)
{
	fprintf(stderr, "ecsim: fatal: out of memory (%zu bytes)\n", n);
	exit(1);
}

#ifdef XMEM_THP
/* The simulation's arrays (tasks, events, instances, the placement trees)
 * grow to tens of MB, and each 4-KiB page of them costs a page fault when
 * first touched: some 5,300 on a one-day Google-shaped replay, at about
 * 20 us each on the VM the project is measured on (a tenth of that run).
 * In 2-MiB pages the same replay takes some 700.  The system gives them
 * only to memory marked so (MADV_HUGEPAGE, in its "madvise" mode) and only
 * where a whole aligned 2 MiB lies in one mapping, so: every block up to
 * 32 MiB comes from the heap (not from a mapping of its own, mmap), which
 * grows 64 MiB at a time and never shrinks, and each growth is marked
 * (xmem_mark, called as blocks grow).  Side by side with the plain heap
 * (ab.sh): the one-day replay 11 % less CPU time, the six-hour one 29 %,
 * the 30-day one the same within the noise (the faults are a cost per run,
 * not per event: the TLB's misses were not what they saved); the same
 * outputs. */
#define THP (UINTMAX_C(2) << 20)

static int thp_on;
static uintptr_t thp_end;      /* the heap marked up to here */

static void xmem_mark(void)
{
	uintptr_t lo = thp_end, hi = (uintptr_t)sbrk(0) & ~(uintptr_t)(THP - 1);

	if (hi > lo) {
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);   /* (a hint: a refusal changes nothing) */
		thp_end = hi;
	}
}

void xmem_hugepages(void)
{
	void *p;

	if (thp_on)
		return;
	if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TOP_PAD, 64 << 20) ||
	    !mallopt(M_TRIM_THRESHOLD, -1))
		return;
	p = malloc(1);       /* the heap, with its first 64 MiB */
	if (!p)
		oom(1);
	thp_end = ((uintptr_t)p + THP - 1) & ~(uintptr_t)(THP - 1);
	thp_on = 1;
	xmem_mark();
	free(p);
}
#else
void xmem_hugepages(void)
{
}
#endif

/* A block ending past the marked heap: the heap grew (or the block is a
 * mapping of its own, past 32 MiB: nothing to mark). */
static inline void grown(const void *q, size_t n)
{
#ifdef XMEM_THP
	if (thp_on && (uintptr_t)q + n > thp_end)
		xmem_mark();
#else
	(void)q;
	(void)n;
#endif
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	grown(p, n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		oom(count * size);
	grown(p, count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
	grown(q, n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void xgrow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	*arr = xrealloc(*arr, c * elem);
	*cap = c;
}

void xgrow_aligned(void **mem, void **arr, size_t *cap, size_t need, size_t elem, size_t align)
{
	size_t c = *cap ? *cap : 8;
	size_t was = *arr ? (size_t)((char *)*arr - (char *)*mem) : 0;
	char *p;
	size_t at;

	if (need <= *cap)
		return;
	while (c < need)
		c *= 2;
	p = xrealloc(*mem, c * elem + align - 1);
	at = (align - (uintptr_t)p % align) % align;
	/* a large block keeps its place in its pages when it grows (mremap):
	 * the elements move only when the new block's alignment differs */
	if (*cap && at != was)
		memmove(p + at, p + was, *cap * elem);
	*mem = p;
	*arr = p + at;
	*cap = c;
}

/* A chunk holds many blocks; a block larger than a quarter of it gets a
 * chunk of its own, linked behind the newest so the newest keeps its room. */
#define XPOOL_CHUNK 16384

void *xpool_alloc(struct xpool *p, size_t n)
{
	size_t need = (n + 7) & ~(size_t)7;
	void **c;

	if (need == 0)
		need = 8;
	if (p->left >= need) {
		void *b = p->cur;

		p->cur += need;
		p->left -= need;
		return b;
	}
	if (need > XPOOL_CHUNK / 4) {
		c = xmalloc(8 + need);
		if (p->chunk) {
			*c = *(void **)p->chunk;
			*(void **)p->chunk = c;
		} else {
			*c = NULL;
			p->chunk = c;
		}
		return (char *)c + 8;
	}
	c = xmalloc(XPOOL_CHUNK);
	*c = p->chunk;
	p->chunk = c;
	p->cur = (char *)c + 8 + need;
	p->left = XPOOL_CHUNK - 8 - need;
	return (char *)c + 8;
}

char *xpool_strdup(struct xpool *p, const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xpool_alloc(p, n), s, n);
}

void xpool_free(struct xpool *p)
{
	void *c = p->chunk;

	while (c) {
		void *prev = *(void **)c;

		free(c);
		c = prev;
	}
	p->chunk = NULL;
	p->cur = NULL;
	p->left = 0;
}
