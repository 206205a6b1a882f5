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
