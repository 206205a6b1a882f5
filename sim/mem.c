/* sim/mem.c — allocation wrappers; out of memory is fatal (exit 1). */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
	fprintf(stderr, "ecsim: fatal: out of memory (%zu bytes)\n", n);
	exit(1);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p)
		oom(count * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom(n);
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
