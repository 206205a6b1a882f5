/* sim/rng.h — named random streams.
 *
 * One GSL generator (mt19937, pinned) per named stream; the seed of stream N
 * is derived from the scenario seed and the *name* (splitmix64(seed ^
 * fnv1a64(name)), re-mixed on a 32-bit collision), never from creation order,
 * so adding a component never changes another component's draws.  Names are
 * hierarchical: "place/random", "workload/gen/web/arrivals", ...
 * gsl_rng_env_setup() is never called.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

struct rng_reg;

struct rng_reg *rng_new(uint64_t seed);
void rng_free(struct rng_reg *r);           /* frees every stream; NULL no-op */
/* The stream called `name`, created on first use; owned by the registry. */
gsl_rng *rng_stream(struct rng_reg *r, const char *name);
/* The 32-bit seed a stream gets (for tests and docs). */
uint64_t rng_seed_for(uint64_t seed, const char *name);

#endif
