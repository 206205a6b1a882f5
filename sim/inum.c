/* sim/inum.c — see inum.h. */
#include "sim/inum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

void inum_reset(struct inum *m, size_t max_keys)
{
	size_t want = 16;

	while (want <= 2 * max_keys)
		want *= 2;
	if (m->cap != want) {
		free(m->key);
		free(m->num);
		m->key = xmalloc(want * sizeof *m->key);
		m->num = xmalloc(want * sizeof *m->num);
		m->cap = want;
	}
	memset(m->key, 0xff, m->cap * sizeof *m->key);    /* -1: empty */
	m->n = 0;
	m->max = max_keys > INT32_MAX ? INT32_MAX : (int32_t)max_keys;
}

void inum_free(struct inum *m)
{
	free(m->key);
	free(m->num);
	memset(m, 0, sizeof *m);
}

int32_t inum_put(struct inum *m, int32_t key)
{
	size_t h;

	if (key < 0) {
		fprintf(stderr, "ecsim: internal error: inum key %ld below 0\n", (long)key);
		abort();
	}
	h = inum_cell(m, key);
	if (m->key[h] == -1) {
		if (m->n >= m->max) {
			/* more keys than the table was sized for: it would fill */
			fprintf(stderr, "ecsim: internal error: inum past its %ld keys\n", (long)m->max);
			abort();
		}
		m->key[h] = key;
		m->num[h] = m->n++;
	}
	return m->num[h];
}
