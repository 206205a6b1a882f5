/* sim/rng.c — the registry of named random streams.
 *
 * Each stream is a gsl_rng of type gsl_rng_mt19937 (pinned here, never taken
 * from the environment: gsl_rng_env_setup() is not called).  Its seed is
 * derived from the scenario seed and the stream's name only:
 *
 *     s = splitmix64(seed ^ fnv1a64(name)) & 0xffffffff
 *
 * mt19937 keeps 32 bits of its seed (and GSL maps seed 0 to 4357), so with
 * thousands of streams two derived seeds can collide.  When a new stream's
 * seed equals the seed of a stream already in the registry (or is 0, which
 * GSL would silently replace), it is re-mixed by iterating splitmix64 over
 * the 64-bit state until the 32-bit seed is unique.  A re-mix depends on the
 * streams created before, but it is deterministic and happens with
 * probability about n^2/2^33 for n streams.
 *
 * Streams are found by name through an open-addressing table; a second table
 * indexes the 32-bit seeds for the collision check.
 *
 * GSL's error handler is left at its default (print and abort): every
 * parameter reaching GSL is validated when the scenario is loaded (see
 * dist.c), so a GSL error is an internal bug, and no library code calls
 * gsl_set_error_handler_off().
 */
#include "rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "mem.h"

struct stream {
	char *name;
	uint64_t hash;          /* hash_fnv1a64(name) */
	uint32_t seed;          /* the seed actually given to gsl_rng_set */
	gsl_rng *r;
};

struct rng_reg {
	uint64_t seed;
	struct stream *s;
	size_t n, cap;
	size_t *by_name;        /* slot -> stream index + 1; 0 = empty */
	size_t *by_seed;
	size_t slots;           /* power of two, >= 2 * n */
};

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t rng_seed_for(uint64_t seed, const char *name)
{
	return splitmix64(seed ^ hash_fnv1a64(name)) & 0xffffffffULL;
}

struct rng_reg *rng_new(uint64_t seed)
{
	struct rng_reg *r = xcalloc(1, sizeof *r);

	r->seed = seed;
	r->slots = 64;
	r->by_name = xcalloc(r->slots, sizeof *r->by_name);
	r->by_seed = xcalloc(r->slots, sizeof *r->by_seed);
	return r;
}

void rng_free(struct rng_reg *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		gsl_rng_free(r->s[i].r);
		free(r->s[i].name);
	}
	free(r->s);
	free(r->by_name);
	free(r->by_seed);
	free(r);
}

static uint64_t seed_hash(uint32_t seed)
{
	return splitmix64(seed);
}

static void index_put(size_t *tab, size_t slots, uint64_t h, size_t idx)
{
	size_t i = (size_t)h & (slots - 1);

	while (tab[i])
		i = (i + 1) & (slots - 1);
	tab[i] = idx + 1;
}

static void rehash(struct rng_reg *r)
{
	free(r->by_name);
	free(r->by_seed);
	r->slots *= 2;
	r->by_name = xcalloc(r->slots, sizeof *r->by_name);
	r->by_seed = xcalloc(r->slots, sizeof *r->by_seed);
	for (size_t k = 0; k < r->n; k++) {
		index_put(r->by_name, r->slots, r->s[k].hash, k);
		index_put(r->by_seed, r->slots, seed_hash(r->s[k].seed), k);
	}
}

static struct stream *find_name(const struct rng_reg *r, const char *name, uint64_t h)
{
	for (size_t i = (size_t)h & (r->slots - 1); r->by_name[i]; i = (i + 1) & (r->slots - 1)) {
		struct stream *s = &r->s[r->by_name[i] - 1];

		if (s->hash == h && strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

static int seed_taken(const struct rng_reg *r, uint32_t seed)
{
	for (size_t i = (size_t)seed_hash(seed) & (r->slots - 1); r->by_seed[i];
	     i = (i + 1) & (r->slots - 1))
		if (r->s[r->by_seed[i] - 1].seed == seed)
			return 1;
	return 0;
}

gsl_rng *rng_stream(struct rng_reg *r, const char *name)
{
	uint64_t h = hash_fnv1a64(name);
	struct stream *s = find_name(r, name, h);
	uint64_t x;
	uint32_t seed;

	if (s)
		return s->r;
	x = splitmix64(r->seed ^ h);
	seed = (uint32_t)(x & 0xffffffffULL);
	while (seed == 0 || seed_taken(r, seed)) {
		x = splitmix64(x);
		seed = (uint32_t)(x & 0xffffffffULL);
	}
	if (2 * (r->n + 1) > r->slots)
		rehash(r);
	XGROW(r->s, r->cap, r->n + 1);
	s = &r->s[r->n];
	s->name = xstrdup(name);
	s->hash = h;
	s->seed = seed;
	s->r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!s->r) {
		fprintf(stderr, "ecsim: fatal: out of memory\n");
		exit(1);
	}
	gsl_rng_set(s->r, seed);
	index_put(r->by_name, r->slots, h, r->n);
	index_put(r->by_seed, r->slots, seed_hash(seed), r->n);
	r->n++;
	return s->r;
}
