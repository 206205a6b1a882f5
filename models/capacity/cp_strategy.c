/* models/capacity/cp_strategy.c — base first, then weights
 * (docs/ecs-model.md §5.11; the exact rounding for small counts is not
 * published: ecsim assigns each task to the item furthest below its share,
 * scenarios/README.md, "Capacity"). */
#include "models/capacity/cp_strategy.h"

#include <stdint.h>

/* Tasks of item i beyond its base. */
static int beyond(const struct cps_item *it, int count)
{
	return count > it->base ? count - it->base : 0;
}

int cps_choose(const struct cp_strategy *s, const int *counts, const unsigned char *usable)
{
	int64_t wsum = 0, total = 0;
	int best = -1;
	/* the rule of docs/ecs-model.md §5.11: the item whose share c_i / T is
	 * furthest below w_i / W, i.e. the largest w_i / W − c_i / T, compared
	 * as w_i T − c_i W; with no task yet beyond the bases every share is 0
	 * and the deficit is w_i / W: the heaviest weight */
	int64_t best_def = 0;

	for (int i = 0; i < s->n; i++)
		if (s->items[i].base > 0 && counts[i] < s->items[i].base && (!usable || usable[i]))
			return i;
	for (int i = 0; i < s->n; i++) {
		if (!usable || usable[i])
			wsum += s->items[i].weight;
		total += beyond(&s->items[i], counts[i]);
	}
	if (wsum == 0)
		return -1;
	for (int i = 0; i < s->n; i++) {
		const struct cps_item *it = &s->items[i];
		int64_t def;

		if (it->weight == 0 || (usable && !usable[i]))
			continue;
		def = total == 0 ? it->weight
				 : (int64_t)it->weight * total - (int64_t)beyond(it, counts[i]) * wsum;
		if (best < 0 || def > best_def) {
			best = i;
			best_def = def;
		}
	}
	return best;
}

int cps_choose_remove(const struct cp_strategy *s, const int *counts)
{
	int64_t wsum = 0, total = 0, best_ex = 0;
	int best = -1;

	for (int i = 0; i < s->n; i++) {
		wsum += s->items[i].weight;
		total += beyond(&s->items[i], counts[i]);
	}
	if (total > 0) {
		/* excess_i = c_i W − w_i (T − 1): above the share the group keeps */
		for (int i = 0; i < s->n; i++) {
			const struct cps_item *it = &s->items[i];
			int64_t ex;

			if (beyond(it, counts[i]) == 0)
				continue;
			ex = (int64_t)beyond(it, counts[i]) * (wsum ? wsum : 1) -
			     (int64_t)it->weight * (total - 1);
			if (best < 0 || ex > best_ex) {
				best = i;
				best_ex = ex;
			}
		}
		return best;
	}
	for (int i = s->n - 1; i >= 0; i--)
		if (counts[i] > 0)
			return i;
	return -1;
}

int cps_validate(const struct cp_strategy *s, const char **why, int *item)
{
	int base_at = -1, wsum = 0;

	for (int i = 0; i < s->n; i++) {
		const struct cps_item *it = &s->items[i];

		*item = i;
		for (int j = 0; j < i; j++)
			if (s->items[j].provider == it->provider) {
				*why = "the same capacity provider is listed twice";
				return -1;
			}
		if (it->base > 0) {
			if (base_at >= 0) {
				*why = "only one item of a strategy may set a base";
				return -1;
			}
			base_at = i;
		}
		wsum += it->weight;
	}
	*item = -1;
	if (s->n == 0) {
		*why = "a strategy needs at least one item";
		return -1;
	}
	if (wsum == 0) {
		*why = "at least one item needs a weight above 0";
		return -1;
	}
	return 0;
}
