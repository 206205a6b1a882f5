/* models/placement/random.c — random (docs/ecs-model.md §4.5, §4.12): keeps
 * every candidate; the choice among them is the final tie-break (docs/ecs-model.md choice
 * A11, uniform from the placement stream unless tieBreak is "first"), so a
 * strategy after it still narrows.  Cost: nothing of its own. */
#include "models/placement/placement_int.h"

#include <stdio.h>

static int check_field_random(const char *field, char *msg, size_t n)
{
	if (!field)
		return 0;
	snprintf(msg, n, "random takes no field, got '%s'", field);
	return -1;
}

static void prepare_random(struct pctx *c, int k)
{
	c->arg[k] = 0;
}

static int64_t key_random(struct pctx *c, int k, int32_t i)
{
	(void)c;
	(void)k;
	(void)i;
	return 0;
}

static int search_random(struct pctx *c, int k, int a, int32_t v)
{
	c->keys[k] = 0;
	return place_solve(c, k + 1, a, v);
}

const struct strategy_ops place_random = {
	.type = PS_RANDOM,
	.name = "random",
	.fields = "",
	.summary = "any candidate, uniformly",
	.check_field = check_field_random,
	.prepare = prepare_random,
	.key = key_random,
	.search = search_random,
};
