/* sim/hash.h — the one string hash of the engine: 64-bit FNV-1a.  Used by
 * the hash tables (strtab, hmap) and to derive random-stream seeds from
 * stream names (rng), so it must never change: seeds depend on it. */
#ifndef SIM_HASH_H
#define SIM_HASH_H

#include <stdint.h>

static inline uint64_t hash_fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;   /* FNV offset basis */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;               /* FNV prime */
	}
	return h;
}

#endif
