/* sim/hmap.h — a string-keyed hash map to 64-bit values, with removal, for
 * live objects looked up by name (e.g. tasks by id).  Open addressing with
 * linear probing and tombstones; the map copies its keys.  Expected O(1)
 * per operation; memory follows the number of live entries (the table is
 * rebuilt when tombstones pile up). */
#ifndef SIM_HMAP_H
#define SIM_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap;

struct hmap *hmap_new(void);
void hmap_free(struct hmap *m);                       /* NULL is a no-op */
/* Insert or replace. */
void hmap_put(struct hmap *m, const char *key, uint64_t value);
/* 1 and *value when present, else 0. */
int hmap_get(const struct hmap *m, const char *key, uint64_t *value);
/* Remove; returns 1 when the key was present. */
int hmap_del(struct hmap *m, const char *key);
size_t hmap_count(const struct hmap *m);

#endif
