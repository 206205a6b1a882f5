/* models/placement/spread.c — spread over instanceId/host or over an
 * attribute (docs/ecs-model.md §4.5; choices A9, A10, D13).
 *
 * Key of an instance: for instanceId, the tasks of the group on it; for
 * attribute:NAME, the tasks of the group on every instance of the cluster
 * having the same value (any status, A9; a missing or null attribute is one
 * more value, A10).  Only values of current candidates compete (A9): a
 * value whose part holds no candidate is skipped.
 *
 * Search over all instances on an attribute: the cluster tracks the
 * attribute (one part per value, counts per group and value), the values are
 * visited by increasing count and each value's part is searched for the
 * following strategies; the best of the values at the lowest count that has
 * a candidate wins (their tie sets are merged when their keys are equal).
 * Cost: O(v log v) for v values plus the searches of the parts visited.
 * Search on instanceId as the last strategy: instances with no task of the
 * group are looked for in the part (probes, then a walk); otherwise, and for
 * an attribute inside a part of another attribute, the part is narrowed
 * exactly (O(part size)).
 */
#include "models/placement/placement_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"

#define ATTR_PREFIX "attribute:"

static int is_instance(const char *field)
{
	return strcmp(field, "instanceId") == 0 || strcmp(field, "host") == 0;
}

/* C12: 1–128 of letters, digits, - _ / \ . */
static int good_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 128)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("-_/\\.", *s)))
			return 0;
	return 1;
}

static int check_field_spread(const char *field, char *msg, size_t n)
{
	if (!field) {
		snprintf(msg, n, "spread needs a field: instanceId, host or attribute:NAME");
		return -1;
	}
	if (is_instance(field))
		return 0;
	if (strncmp(field, ATTR_PREFIX, strlen(ATTR_PREFIX)) == 0) {
		if (good_name(field + strlen(ATTR_PREFIX)))
			return 0;
		snprintf(msg, n, "bad attribute name in spread field '%s': expected 1-128 letters, digits, '-', '_', '/', '\\' or '.'",
			 field);
		return -1;
	}
	snprintf(msg, n, "unknown spread field '%s'; valid: instanceId, host, attribute:NAME", field);
	return -1;
}

/* The attribute is tracked after the first placement, so it is looked up
 * by name (no interning) before being tracked.  The policy keeps the
 * answer for the cluster and the strategy's field string (a tracked
 * attribute keeps its number: place_ctx_init's memo), so this runs once
 * per policy, cluster and strategy. */
static void prepare_spread(struct pctx *c, int k)
{
	const char *f = c->s[k]->field;
	int a;

	if (strncmp(f, ATTR_PREFIX, strlen(ATTR_PREFIX)) != 0) {     /* instanceId or host */
		a = -1;
	} else {
		a = cluster_spread_attr_find(c->cl, f + strlen(ATTR_PREFIX));
		if (a < 0)
			a = cluster_spread_attr(c->cl, f + strlen(ATTR_PREFIX));
	}
	c->arg[k] = a;
}

static int64_t key_spread(struct pctx *c, int k, int32_t i)
{
	int a = c->arg[k];

	if (a < 0)
		return cluster_group_tasks_on(c->cl, i, c->g);
	return cluster_spread_count(c->cl, a, cluster_spread_value(c->cl, a, i), c->g);
}

struct vc {
	int64_t n;
	int32_t v;
};

/* (count, value) ascending: a total order (values are distinct). */
static int before(const struct vc *p, const struct vc *q)
{
	return p->n < q->n || (p->n == q->n && p->v < q->v);
}

static int by_count(const void *x, const void *y)
{
	return before(x, y) ? -1 : before(y, x);
}

#define FEW_VALUES PLACE_FEW_VALUES     /* values read on the stack, no sort, no allocation */

/* The values of one count (a level) searched one by one, in value order:
 * the best of them, their tie sets merged when their keys are equal. */
struct level {
	size_t mark;               /* the tie set's end before the level */
	int found;
	int stale;                 /* c->keys[k + 1..] are not best's */
	int64_t best[PLACE_MAX_STRATEGIES];
};

/* Value v of attribute sa, at count `count`, into level l. */
static inline __attribute__((always_inline)) void level_value(struct pctx *c, int k, int sa, int64_t count,
							      int32_t v, struct level *l)
{
	size_t m = c->n_r;
	int cmp;

	c->keys[k] = count;
	/* (place_solve without its size check: the part has members) */
	if (!(k + 1 == c->n ? place_solve(c, k + 1, sa, v) : c->ops[k + 1]->search(c, k + 1, sa, v))) {
		l->stale = 1;
		return;
	}
	cmp = l->found ? place_cmp_keys(c, k + 1, c->keys, l->best) : -1;
	if (cmp < 0) {
		if (m > l->mark) {      /* the earlier ranges lost */
			memmove(c->r + l->mark, c->r + m, (c->n_r - m) * sizeof *c->r);
			c->n_r = l->mark + (c->n_r - m);
		}
		memcpy(l->best, c->keys, sizeof l->best);
		l->found = 1;
		l->stale = 0;
		/* a value of this level whose next key is above best's loses:
		 * its search may stop there */
		if (k + 1 < c->n) {
			c->bound_k = k + 1;
			c->bound = l->best[k + 1];
		}
	} else {
		if (cmp > 0)
			c->n_r = m;
		l->stale = 1;
	}
}

/* search_values when binpack is the last strategy (the az-balanced-binpack
 * chain) and the attribute has few values: each level's values read in
 * one pass (cluster_spread_level); a value's part answers one binpack
 * key, so a level keeps the best key found and drops the ranges of the
 * values that lost; a value whose key would be above it is searched no
 * further (level_value's bound, without the key vectors and their
 * compares).  -1 when the attribute has more than FEW_VALUES values. */
static int values_binpack(struct pctx *c, int k, int sa)
{
	/* (a bound on binpack's key set by a search around this one) */
	int64_t outer = c->bound_k == k + 1 ? c->bound : INT64_MAX, level = INT64_MIN;
	size_t mark = c->n_r;

	for (;;) {
		int32_t vals[FEW_VALUES];
		int32_t nl = cluster_spread_level(c->cl, sa, c->g, level, FEW_VALUES, vals, &level);
		int64_t best = outer;
		int found = 0;

		if (nl <= 0)
			return nl;
		c->keys[k] = level;
		for (int32_t j = 0; j < nl; j++) {
			size_t m = c->n_r;

			if (!place_binpack_last(c, k + 1, sa, vals[j], best))
				continue;
			/* (a key above best was not taken: below it or equal) */
			if (!found || c->keys[k + 1] < best) {
				if (m > mark) { /* the earlier ranges lost */
					memmove(c->r + mark, c->r + m, (c->n_r - m) * sizeof *c->r);
					c->n_r = mark + (c->n_r - m);
				}
				best = c->keys[k + 1];
				found = 1;
			}
		}
		if (found) {
			c->keys[k + 1] = best;
			return 1;
		}
	}
}

int place_spread_binpack(struct cluster *cl, const struct place_req *req, uint32_t g, int sa,
			 enum cl_key o, struct sb_answer *a)
{
	int64_t nd = o == CL_BY_CPU ? req->cpu_units : req->mem_mib;
	int64_t other = o == CL_BY_CPU ? req->mem_mib : req->cpu_units;
	/* (one query: the level, each of its values probed, the tied bits
	 * of the least amount, whose key is that amount less the need) */
	int r = cluster_spread_lower(cl, sa, g, o, nd, other, FEW_VALUES, a->vals, a->pr, &a->tied, &a->level);

	if (r > 0)
		a->best = a->pr[__builtin_ctz(a->tied)].amount - nd;
	return r;
}

void place_spread_binpack_ties(struct pctx *c, const struct sb_answer *a)
{
	enum cl_key o = (enum cl_key)c->arg[1];
	size_t n = 0;

	/* (room for every value up to the last tied one: no popcount call) */
	PLACE_GROW(c, r, (size_t)(32 - __builtin_clz(a->tied)));
	for (unsigned t = a->tied; t; t &= t - 1) {
		int j = __builtin_ctz(t);
		struct cl_probe q = a->pr[j], *pr = &q;
		struct trange *r = &c->r[n++];

		cluster_probe_rank(c->cl, c->arg[0], a->vals[j], o, pr);   /* (the ranges need ranks) */

		r->a = c->arg[0];
		r->v = a->vals[j];
		r->k = (int)o;
		r->lo = pr->rank;
		r->hi = pr->end < 0 ? RANGE_RUN : pr->end;
		r->run = pr->amount;
		r->key0 = c->n;
		r->first = pr->inst;
		r->mark = pr->mark;
		r->live = c->live_gen;
		r->told = pr->end >= 0;
	}
	c->n_r = n;
	c->keys[0] = a->level;
	c->keys[1] = a->best;
	c->live_gen++;          /* (the context's cursor stands at none of them) */
}

/* Values of attribute sa by count; the best of the lowest count with a
 * candidate. */
static int search_values(struct pctx *c, int k, int sa)
{
	int32_t size[FEW_VALUES];
	int64_t count[FEW_VALUES];
	int32_t nv;
	int bound_k = c->bound_k;
	int64_t bound = c->bound;
	struct level l;

	if (k + 2 == c->n && c->ops[k + 1] == &place_binpack) {
		int r = values_binpack(c, k, sa);

		if (r >= 0)
			return r;
	}
	/* (few values: their sizes and counts in one call) */
	nv = cluster_spread_values(c->cl, sa, c->g, FEW_VALUES, size, count);
	l.mark = c->n_r;
	l.found = l.stale = 0;
	if (nv <= FEW_VALUES) {
		/* the levels upwards, each one's values in value order (the
		 * order of a sort by count and value), without the sort: the
		 * lowest count above the level tried, then its values */
		int64_t tried = 0;

		for (int first = 1; !l.found; first = 0) {
			int64_t level = INT64_MAX;
			int any = 0;

			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && (first || count[v] > tried) && count[v] <= level) {
					level = count[v];
					any = 1;
				}
			if (!any)
				break;
			for (int32_t v = 0; v < nv; v++)
				if (size[v] > 0 && count[v] == level)
					level_value(c, k, sa, level, v, &l);
			tried = level;
		}
	} else {
		struct vc *vs = xmalloc((size_t)nv * sizeof *vs);
		int32_t n = 0;

		for (int32_t v = 0; v < nv; v++) {
			if (cluster_part_size(c->cl, sa, v) > 0) {
				vs[n].n = cluster_spread_count(c->cl, sa, v, c->g);
				vs[n++].v = v;
			}
		}
		qsort(vs, (size_t)n, sizeof *vs, by_count);
		for (int32_t j = 0; j < n && !l.found;)
			for (int64_t level = vs[j].n; j < n && vs[j].n == level; j++)
				level_value(c, k, sa, level, vs[j].v, &l);
		free(vs);
	}
	c->bound_k = bound_k;
	c->bound = bound;
	if (l.found && l.stale)
		memcpy(c->keys + k, l.best + k, (size_t)(c->n - k) * sizeof *c->keys);
	return l.found;
}

static int search_spread(struct pctx *c, int k, int a, int32_t v)
{
	int sa = c->arg[k];

	if (sa < 0) {
		int32_t size = cluster_part_size(c->cl, a, v);

		c->keys[k] = 0;
		if (k + 1 == c->n && place_range_has_member(c, a, v, CL_BY_NUM, 0, size, k)) {
			place_add_part(c, a, v, k);
			return 1;
		}
		return place_exact_part(c, k, a, v);
	}
	if (a == sa) {                  /* constant inside the part */
		c->keys[k] = cluster_spread_count(c->cl, sa, v, c->g);
		return place_solve(c, k + 1, a, v);
	}
	if (a == CL_ALL)
		return search_values(c, k, sa);
	return place_exact_part(c, k, a, v);
}

const struct strategy_ops place_spread = {
	.type = PS_SPREAD,
	.name = "spread",
	.fields = "instanceId, host, attribute:NAME",
	.summary = "the candidate whose field value has the fewest tasks of the group",
	.check_field = check_field_spread,
	.prepare = prepare_spread,
	.key = key_spread,
	.search = search_spread,
};
