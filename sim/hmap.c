/* sim/hmap.c — open-addressing string → uint64 map with tombstones.
 * Invariant: n_used (live + tombstones) <= 3/4 of the slots. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

static char tombstone_key;
#define TOMB (&tombstone_key)

struct slot {
	char *key;        /* NULL = empty, TOMB = removed */
	uint64_t value;
	uint64_t hash;
};

struct hmap {
	struct slot *s;
	size_t n_slots;   /* power of two */
	size_t n_live, n_used;
};

struct hmap *hmap_new(void)
{
	struct hmap *m = xcalloc(1, sizeof *m);

	m->n_slots = 16;
	m->s = xcalloc(m->n_slots, sizeof *m->s);
	return m;
}

void hmap_free(struct hmap *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_slots; i++)
		if (m->s[i].key && m->s[i].key != TOMB)
			free(m->s[i].key);
	free(m->s);
	free(m);
}

static struct slot *find(const struct hmap *m, const char *key, uint64_t h)
{
	size_t mask = m->n_slots - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct slot *sl = &m->s[i];

		if (!sl->key)
			return NULL;
		if (sl->key != TOMB && sl->hash == h && strcmp(sl->key, key) == 0)
			return sl;
	}
}

static void rebuild(struct hmap *m, size_t n_slots)
{
	struct slot *old = m->s;
	size_t n_old = m->n_slots;

	m->s = xcalloc(n_slots, sizeof *m->s);
	m->n_slots = n_slots;
	m->n_used = m->n_live;
	for (size_t i = 0; i < n_old; i++) {
		if (old[i].key && old[i].key != TOMB) {
			size_t j = old[i].hash & (n_slots - 1);

			while (m->s[j].key)
				j = (j + 1) & (n_slots - 1);
			m->s[j] = old[i];
		}
	}
	free(old);
}

void hmap_put(struct hmap *m, const char *key, uint64_t value)
{
	uint64_t h = hash_fnv1a64(key);
	struct slot *sl = find(m, key, h);
	size_t i;

	if (sl) {
		sl->value = value;
		return;
	}
	if ((m->n_used + 1) * 4 > m->n_slots * 3)
		rebuild(m, (m->n_live + 1) * 2 > m->n_slots / 2 ? m->n_slots * 2 : m->n_slots);
	for (i = h & (m->n_slots - 1); m->s[i].key && m->s[i].key != TOMB;
	     i = (i + 1) & (m->n_slots - 1))
		;
	if (!m->s[i].key)
		m->n_used++;
	m->s[i] = (struct slot){ xstrdup(key), value, h };
	m->n_live++;
}

int hmap_get(const struct hmap *m, const char *key, uint64_t *value)
{
	struct slot *sl = find(m, key, hash_fnv1a64(key));

	if (!sl)
		return 0;
	*value = sl->value;
	return 1;
}

int hmap_del(struct hmap *m, const char *key)
{
	struct slot *sl = find(m, key, hash_fnv1a64(key));

	if (!sl)
		return 0;
	free(sl->key);
	sl->key = TOMB;
	m->n_live--;
	return 1;
}

size_t hmap_count(const struct hmap *m)
{
	return m->n_live;
}
