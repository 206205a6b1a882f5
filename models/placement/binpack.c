/* models/placement/binpack.c — binpack on cpu or memory (ecs-semantics
 * §4.5; ecs-choices D12): the candidate with the least remaining amount of
 * the field after the task (score = remaining − need) wins.
 *
 * Search: in the part's order by (remaining field, number), start at the
 * first instance with remaining ≥ need (O(log n)) and walk runs of equal
 * remaining amount upwards until a run holds a candidate; that run is the
 * tie set (its members are ordered by number).  When strategies follow, the
 * run's candidates are narrowed exactly.  Cost: O(log n) per instance looked
 * at; instances skipped are those that have room for the field but fail
 * another check.
 */
#include "models/placement/strategy.h"

#include <stdio.h>
#include <string.h>

#include "sim/mem.h"

static int check_field_binpack(const char *field, char *msg, size_t n)
{
	if (field && (strcmp(field, "cpu") == 0 || strcmp(field, "memory") == 0))
		return 0;
	if (!field)
		snprintf(msg, n, "binpack needs a field: cpu or memory");
	else
		snprintf(msg, n, "unknown binpack field '%s'; valid: cpu, memory", field);
	return -1;
}

static void prepare_binpack(struct pctx *c, int k)
{
	c->arg[k] = strcmp(c->s[k]->field, "cpu") == 0 ? CL_BY_CPU : CL_BY_MEM;
}

static int64_t need(const struct pctx *c, int k)
{
	return c->arg[k] == CL_BY_CPU ? c->req->cpu_units : c->req->mem_mib;
}

static int64_t remaining(const struct pctx *c, int k, int32_t i)
{
	return c->arg[k] == CL_BY_CPU ? cluster_cpu_remaining(c->cl, i)
				      : cluster_mem_remaining(c->cl, i);
}

static int64_t key_binpack(struct pctx *c, int k, int32_t i)
{
	return remaining(c, k, i) - need(c, k);      /* D12 */
}

static int search_binpack(struct pctx *c, int k, int a, int32_t v)
{
	enum cl_key o = (enum cl_key)c->arg[k];
	int32_t size = cluster_part_size(c->cl, a, v);
	int32_t r = cluster_part_rank(c->cl, a, v, o, need(c, k), 0);

	while (r < size) {
		int32_t i = cluster_part_at(c->cl, a, v, o, r);
		int64_t rem = remaining(c, k, i);
		int32_t end = cluster_part_rank(c->cl, a, v, o, rem + 1, 0);

		c->keys[k] = rem - need(c, k);
		if (k + 1 == c->n) {
			if (place_range_has_member(c, a, v, o, r, end)) {
				place_add_range(c, a, v, o, r, end);
				return 1;
			}
		} else {
			size_t n = 0;

			XGROW(c->tmp, c->cap_tmp, (size_t)(end - r));
			for (int32_t p = r; p < end; p++) {
				int32_t x = cluster_part_at(c->cl, a, v, o, p);

				if (place_candidate(c, x))
					c->tmp[n++] = x;
			}
			if (n > 0)
				return place_exact_list(c, k + 1, c->tmp, n);
		}
		r = end;
	}
	return 0;
}

const struct strategy_ops place_binpack = {
	.type = PS_BINPACK,
	.name = "binpack",
	.fields = "cpu, memory",
	.summary = "the candidate with the least remaining cpu or memory",
	.check_field = check_field_binpack,
	.prepare = prepare_binpack,
	.key = key_binpack,
	.search = search_binpack,
};
