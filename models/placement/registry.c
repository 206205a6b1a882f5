/* models/placement/registry.c — the one list of placement strategies
 * (docs/ecs-model.md §4.5).  Adding a strategy is one file defining a
 * `const struct strategy_ops` and its line in the two tables below;
 * parsing, messages and the placement engine all read them. */
#include "models/placement/placement_int.h"

#include <stdio.h>
#include <string.h>

static const struct strategy_ops *const all[] = {
	&place_binpack,
	&place_random,
	&place_spread,
};

#define N_ALL (sizeof all / sizeof *all)

const struct strategy_ops *place_strategy_by_name(const char *name)
{
	for (size_t k = 0; k < N_ALL; k++)
		if (strcmp(all[k]->name, name) == 0)
			return all[k];
	return NULL;
}

const struct strategy_ops *place_strategy_of(enum place_strategy_type t)
{
	/* (once per strategy and placement: by the type's number) */
	static const struct strategy_ops *const by_type[] = {
		[PS_BINPACK] = &place_binpack,
		[PS_SPREAD] = &place_spread,
		[PS_RANDOM] = &place_random,
	};

	return (unsigned)t < sizeof by_type / sizeof *by_type ? by_type[t] : NULL;
}

void place_strategy_names(char *buf, size_t n)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t j = 0; j < N_ALL && k < n; j++) {
		int w = snprintf(buf + k, n - k, "%s%s", j ? ", " : "", all[j]->name);

		if (w > 0)
			k += (size_t)w;
	}
}
