/* sim/inum.h — numbering of non-negative integer keys as they are met: the
 * first key numbered gets 0, the next new one 1, and so on.  For a pass
 * that keeps something per key over a sparse range (per instance, over the
 * instances ever registered) in arrays over the keys it meets instead:
 * memory and time follow the keys met, not the range.
 *
 * Open addressing with linear probing in a power-of-two table of more than
 * twice the keys the caller expects (inum_reset's `max_keys`); the caller
 * numbers at most that many (checked: abort).  The numbers do not depend
 * on the table (only on the order the keys are met in).
 *
 *   inum_reset  O(table) (a new table only when its size changes)
 *   inum_put    O(1) expected
 *   inum_get    O(1) expected
 */
#ifndef SIM_INUM_H
#define SIM_INUM_H

#include <stddef.h>
#include <stdint.h>

struct inum {
	int32_t *key;              /* -1: an empty cell */
	int32_t *num;
	size_t cap;                /* a power of two, > 2 x max_keys */
	int32_t n, max;            /* keys numbered; at most max */
};

/* Empty, for up to max_keys keys (zeroed memory is an empty numbering
 * with no table: reset it first). */
void inum_reset(struct inum *m, size_t max_keys);
void inum_free(struct inum *m);

/* The cell holding key, or the empty one where it would go. */
static inline size_t inum_cell(const struct inum *m, int32_t key)
{
	size_t mask = m->cap - 1, h = (size_t)(((uint32_t)key * UINT32_C(2654435761)) >> 7) & mask;

	while (m->key[h] != key && m->key[h] != -1)
		h = (h + 1) & mask;
	return h;
}

/* key's number, -1 when it has none yet. */
static inline int32_t inum_get(const struct inum *m, int32_t key)
{
	size_t h = inum_cell(m, key);

	return m->key[h] == -1 ? -1 : m->num[h];
}

/* key's number, the next one when it has none yet (key >= 0). */
int32_t inum_put(struct inum *m, int32_t key);

#endif
