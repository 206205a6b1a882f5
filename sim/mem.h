/* sim/mem.h — allocation with one out-of-memory policy: print and exit 1.
 * No call site checks for NULL. */
#ifndef SIM_MEM_H
#define SIM_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow *arr (element size `elem`) so it holds at least `need` elements;
 * *cap is updated.  Doubling growth. */
void xgrow(void **arr, size_t *cap, size_t need, size_t elem);

/* xgrow for an array of over-aligned elements (`align`, a power of two
 * that divides `elem`): *arr points into the block *mem (NULL at first;
 * free(*mem) frees it), aligned to `align`, so each element starts where
 * its type says (a cache line, say).  The block grows in place when it can,
 * as xgrow's. */
void xgrow_aligned(void **mem, void **arr, size_t *cap, size_t need, size_t elem, size_t align);

/* A pool of small blocks that live as long as their owner and go with it
 * at once (a cluster's instance ids and attribute lists): no malloc or
 * free per block.  Blocks are aligned to 8 bytes and never move.  Zeroed
 * memory is an empty pool. */
struct xpool {
	void *chunk;      /* the newest chunk; each chunk's first word points to the one before */
	char *cur;        /* the newest chunk's free room: `left` bytes from cur */
	size_t left;
};

void *xpool_alloc(struct xpool *p, size_t n);
char *xpool_strdup(struct xpool *p, const char *s);
void xpool_free(struct xpool *p);     /* every block; the pool is empty again */

/* From now on, the process's heap in transparent huge pages where the
 * system allows it (Linux with glibc; elsewhere nothing): called once,
 * first thing.  Changes no result: only how the memory is mapped. */
void xmem_hugepages(void);

/* the common case (room enough) costs a compare, not a call */
#define XGROW(arr, cap, need) \
	do { \
		if ((need) > (cap)) \
			xgrow((void **)&(arr), &(cap), (need), sizeof *(arr)); \
	} while (0)

#endif
