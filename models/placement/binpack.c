/* models/placement/binpack.c — binpack on cpu or memory (docs/ecs-model.md
 * §4.5; choice D12): the candidate with the least remaining amount of
 * the field after the task (score = remaining − need) wins.
 *
 * Search: in the part's order by (remaining field, number), start at the
 * first instance with remaining ≥ need (O(log n)) and walk runs of equal
 * remaining amount upwards until a run holds a candidate; that run, from its
 * first candidate on, is the tie set (ordered by number; its end is found
 * only when the tie-break needs its length).  The walk jumps
 * over instances short of the *other* resource (CPU for memory, memory for
 * CPU) using the trees' subtree maxima, so a cluster whose fullest instances
 * are CPU-bound costs O(log n), not a scan.  When strategies follow, the
 * run's candidates are narrowed exactly.  Cost: O(log n) to start, then
 * O(1) amortized per instance looked at (a cursor walks the leaves, keeping
 * its path); instances looked at and rejected are those with room for both
 * resources that fail another check (ports, ENI, GPU, attributes,
 * constraints).
 */
#include "models/placement/placement_int.h"

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
	const char *f = c->s[k]->field;

	/* strcmp(f, "cpu") == 0, written out (once per placement) */
	c->arg[k] = f[0] == 'c' && f[1] == 'p' && f[2] == 'u' && f[3] == '\0' ? CL_BY_CPU : CL_BY_MEM;
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

/* The other resource's need: the trees skip instances short of it. */
static int64_t other_need(const struct pctx *c, int k)
{
	return c->arg[k] == CL_BY_CPU ? c->req->mem_mib : c->req->cpu_units;
}

int place_binpack_last(struct pctx *c, int k, int a, int32_t v, int64_t lim)
{
	enum cl_key o = (enum cl_key)c->arg[k];
	int64_t nd = need(c, k), rem;
	struct cl_cursor *cur;
	int32_t end, p, x;

	if (c->plain) {
		/* every member with the room is a candidate: the first one
		 * the descent finds is the run's first candidate; no cursor
		 * (the tie-break resumes from the mark) */
		struct cl_probe pr;

		cluster_lower_probe(c->cl, a, v, o, nd, other_need(c, k), &pr);
		if (pr.inst < 0)
			return 0;
		c->keys[k] = pr.amount - nd;
		if (c->keys[k] > lim)
			return 0;
		place_add_run(c, a, v, o, pr.rank, pr.inst, pr.amount, pr.end, pr.mark);
		c->live_gen++;          /* (the context's cursor is not there) */
		return 1;
	}
	/* (the context's cursor: the tie-break may walk on from the run's
	 * first member; a run found earlier no longer may) */
	cur = &c->live;
	p = cluster_cursor_lower_run(cur, c->cl, a, v, o, nd, other_need(c, k), &rem, &end);
	x = cur->inst;
	c->live_gen++;
	while (x >= 0) {
		c->keys[k] = rem - nd;
		if (c->keys[k] > lim)
			return 0;
		/* the run of members having `rem` left (ordered by number);
		 * the walk stops on the first member of the next run.  Each
		 * has room for both resources: the other checks decide */
		for (;;) {
			if (place_candidate_fits(c, x)) {
				/* the run from its first candidate on: that one is
				 * the earliest registered (the run is ordered by
				 * number; ranks before it lack a resource); its end
				 * when the leaf tells (mostly a run of one) */
				place_add_run(c, a, v, o, p, x, rem, end, cluster_cursor_mark(cur));
				return 1;
			}
			p = cluster_cursor_next(cur);
			x = cur->inst;
			if (x < 0 || remaining(c, k, x) != rem)
				break;
			end = cluster_cursor_run_end(cur);
		}
		if (x >= 0) {           /* the next run */
			rem = remaining(c, k, x);
			end = cluster_cursor_run_end(cur);
		}
	}
	return 0;
}

static int search_binpack(struct pctx *c, int k, int a, int32_t v)
{
	enum cl_key o = (enum cl_key)c->arg[k];
	struct cl_cursor *cur = &c->live;
	int32_t x;

	if (k + 1 == c->n)
		return place_binpack_last(c, k, a, v, k == c->bound_k ? c->bound : INT64_MAX);
	/* the first member with room for both resources (x < 0: none); the
	 * cursor steps to the next one without a descent from the root */
	cluster_cursor_lower(cur, c->cl, a, v, o, need(c, k), other_need(c, k));
	c->live_gen++;
	x = cur->inst;

	while (x >= 0) {
		int64_t rem = remaining(c, k, x);
		size_t n = 0;

		c->keys[k] = rem - need(c, k);
		if (k == c->bound_k && c->keys[k] > c->bound)
			return 0;       /* worse than a candidate found already */
		/* the run of members having `rem` left (ordered by number);
		 * the walk stops on the first member of the next run.  Each
		 * has room for both resources: the other checks decide */
		for (;;) {
			if (place_candidate_fits(c, x)) {
				PLACE_GROW(c, tmp, n + 1);
				c->tmp[n++] = x;
			}
			/* on to the next member (the first one's amount is rem) */
			cluster_cursor_next(cur);
			x = cur->inst;
			if (x < 0 || remaining(c, k, x) != rem)
				break;
		}
		if (n > 0)
			return place_exact_list(c, k + 1, c->tmp, n);
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
