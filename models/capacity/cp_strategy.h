/* models/capacity/cp_strategy.h — splitting tasks across the providers of a
 * capacity provider strategy (docs/ecs-model.md §5.11).
 *
 * A strategy is a list of {provider, base, weight}.  The first `base` tasks
 * go to the one item that sets a base; after that each next task goes to the
 * item whose share of the tasks beyond the base is furthest below its
 * weight / Σweights (ties: the earlier item), so weights 1 and 4 give 1 : 4.
 * Weight-0 items get no task beyond their base.  Pure functions over the
 * caller's counts; the caller (service scheduler, RunTask) keeps the counts
 * (models/capacity/cp_route.h). */
#ifndef MODELS_CAPACITY_CP_STRATEGY_H
#define MODELS_CAPACITY_CP_STRATEGY_H

#define CPS_MAX_ITEMS 20        /* items per strategy (older limit: 6) */
#define CPS_MAX_BASE 100000
#define CPS_MAX_WEIGHT 1000

struct cps_item {
	int provider;           /* index into the scenario's capacity providers */
	int base;               /* 0..100000 */
	int weight;             /* 0..1000 */
};

struct cp_strategy {
	int n;
	struct cps_item items[CPS_MAX_ITEMS];
};

/* The item (index into s->items) that takes the next task, given how many
 * tasks of this service / RunTask group each item already has (counts[i]
 * for items[i]).  `usable` (NULL = all) marks items whose provider can take
 * a task now; an unusable item is skipped, the others keep their shares.
 * Returns -1 when no item can take it (all weights 0 and the base met, or
 * nothing usable). */
int cps_choose(const struct cp_strategy *s, const int *counts, const unsigned char *usable);

/* The item to take a task away from when the group shrinks: the one furthest
 * above its weighted share beyond the base; the base is given up last.
 * -1 when every count is 0. */
int cps_choose_remove(const struct cp_strategy *s, const int *counts);

/* Rule check (docs/ecs-model.md §5.11): at most one item with a base, no
 * provider twice, at least one positive weight.  0, or -1 with a reason
 * (static text) in *why and the offending item in *item. */
int cps_validate(const struct cp_strategy *s, const char **why, int *item);

#endif
