/* models/placement/common.c — the steps every strategy shares: the
 * eligibility filter and constraints in the order of docs/ecs-model.md choice A1, the
 * recursion over the chain, the exact fallbacks, and the final tie-break
 * over the tie set (docs/ecs-model.md choice A11).
 *
 * The tie set is a list of ranges whose union contains every tied candidate
 * and is ordered by instance number inside each range; a range may also hold
 * non-members (instances that fail the filter or have other keys), which
 * place_member() recomputes, from the first strategy whose key may vary
 * inside the range (the part's invariant fixes the earlier ones; a whole
 * part at the end of the chain and binpack's run check the filter only).  A
 * binpack run ends at the first member of another amount: its walk stops
 * there, and its rank is looked up only when a random draw needs the run's
 * length.  Walking a range in a resource order skips the
 * instances short of the other resource through the trees' subtree maxima.
 * Tie-break "first" walks each range to its first member (its earliest
 * registered).  "random" enumerates the members when there are at most
 * ENUMERATE of them, drawing only when two or more are tied (A11); with more,
 * it draws uniform positions over the union and keeps the first that is a
 * member (rejection sampling: uniform over the members), and after DRAWS
 * misses draws among an exact enumeration instead.  Existence checks probe a
 * fixed stride permutation (no random draws), then walk, so every answer is
 * exact.  Costs: O(log n) per position probed or drawn; a walk descends
 * once, then steps with a cursor (O(1) amortized per position).
 */
#include "models/placement/placement_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/placement/cql.h"
#include "sim/mem.h"

#define PROBES 32          /* stride probes before an exhaustive walk */
#define ENUMERATE PLACE_ENUMERATE  /* tie sets this small are enumerated exactly */
#define DRAWS 256          /* rejection-sampling draws before enumerating */



static int has_port(const uint16_t *p, int n, uint16_t x)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (p[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && p[lo] == x;
}

/* D2, D3: no task port already reserved (per protocol), and at most 100
 * reserved ports over TCP and UDP together. */
static int ports_ok(const struct pctx *c, int32_t i)
{
	const struct place_req *r = c->req;
	const uint16_t *tcp, *udp;
	int nt, nu;

	if (r->n_ports_tcp + r->n_ports_udp == 0)
		return 1;
	nt = cluster_ports(c->cl, i, 0, &tcp);
	nu = cluster_ports(c->cl, i, 1, &udp);
	if (nt + nu + r->n_ports_tcp + r->n_ports_udp > 100)
		return 0;
	for (int k = 0; k < r->n_ports_tcp; k++)
		if (has_port(tcp, nt, r->ports_tcp[k]))
			return 0;
	for (int k = 0; k < r->n_ports_udp; k++)
		if (has_port(udp, nu, r->ports_udp[k]))
			return 0;
	return 1;
}

/* A15: runtimePlatform against ecs.os-family / ecs.cpu-architecture,
 * case-insensitively; a missing attribute does not match. */
static int attr_is(const struct pctx *c, int32_t i, uint32_t name, const char *want)
{
	const char *v;

	if (!want)
		return 1;
	return cluster_attribute_by_id(c->cl, i, name, &v) && v && strcasecmp(v, want) == 0;
}

/* Instance i is in a zone of the policy's awsvpc subnets. */
static int in_subnet_zone(const struct pctx *c, int32_t i)
{
	const char *az = cluster_az(c->cl, i);

	for (int k = 0; k < c->pol->n_loc_az; k++)
		if (strcmp(az, c->pol->loc_az[k]) == 0)
			return 1;
	return 0;
}

/* place_stage from the ports check on (the checks before it passed). */
static int stage_from_ports(const struct pctx *c, int32_t i)
{
	const struct place_req *r = c->req;
	const char *v;

	if (!ports_ok(c, i))
		return ST_PORTS;
	if (r->eni && cluster_eni_free(c->cl, i) < 1)
		return ST_ENI;
	if (r->eni && c->pol->n_loc_az > 0 && !in_subnet_zone(c, i))
		return ST_LOCATION;
	if (r->eni && !cluster_attribute_by_id(c->cl, i, c->ids_attr.task_eni, &v))    /* D5 */
		return ST_TASK_ENI;
	if (r->gpus > 0 && cluster_gpu_remaining(c->cl, i) < r->gpus)
		return ST_GPU;
	if (!attr_is(c, i, c->ids_attr.os_family, r->os_family) || !attr_is(c, i, c->ids_attr.cpu_arch, r->cpu_arch))
		return ST_PLATFORM;
	for (int k = 0; k < c->pol->n_constraints; k++) {
		const struct place_constraint *pc = &c->pol->constraints[k];

		if (pc->type == PC_DISTINCT_INSTANCE) {
			if (cluster_group_tasks_on(c->cl, i, c->g) > 0)
				return ST_CONSTRAINTS + k;
		} else {
			struct cluster_ref ref = { c->cl, i };

			if (!cql_eval(pc->expr, cluster_cql_view(), &ref))
				return ST_CONSTRAINTS + k;
		}
	}
	return ST_CONSTRAINTS + c->pol->n_constraints;
}

int place_stage(const struct pctx *c, int32_t i)
{
	const struct place_req *r = c->req;

	if (!cluster_agent_connected(c->cl, i))
		return ST_AGENT;
	if (cluster_cpu_remaining(c->cl, i) < r->cpu_units)
		return ST_CPU;
	if (cluster_mem_remaining(c->cl, i) < r->mem_mib)
		return ST_MEMORY;
	return c->plain ? c->n_checks : stage_from_ports(c, i);
}

int place_pin_failed(const struct pctx *c, int32_t i)
{
	const struct place_policy *p = c->pol;

	for (int k = p->n_constraints - p->n_pins; k < p->n_constraints; k++) {
		struct cluster_ref ref = { c->cl, i };

		if (!cql_eval(p->constraints[k].expr, cluster_cql_view(), &ref))
			return k;
	}
	return -1;
}

const char *place_stage_reason(const struct pctx *c, int s)
{
	static const char *const base[] = {
		"AGENT", "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI",
		"LOCATION", "ATTRIBUTE", "RESOURCE:GPU", "ATTRIBUTE",
	};

	_Static_assert(sizeof base / sizeof *base == ST_CONSTRAINTS, "a reason per check");
	if (s < ST_CONSTRAINTS)
		return base[s];
	return c->pol->constraints[s - ST_CONSTRAINTS].type == PC_DISTINCT_INSTANCE
		? "FAIL:DistinctInstance placement constraint unsatisfied."
		: "FAIL:MemberOf placement constraint unsatisfied.";
}

int place_candidate(const struct pctx *c, int32_t i)
{
	return cluster_status(c->cl, i) == INST_ACTIVE && place_stage(c, i) == c->n_checks;
}

int place_candidate_fits(const struct pctx *c, int32_t i)
{
	return c->plain || stage_from_ports(c, i) == c->n_checks;
}

/* place_member when the keys before key0 are known to be c->keys (and,
 * with fits, that i has room for both resources: place_candidate_fits). */
static int member_from(struct pctx *c, int32_t i, int key0, int fits)
{
	if (!(fits ? place_candidate_fits(c, i) : place_candidate(c, i)))
		return 0;
	for (int k = key0; k < c->n; k++)
		if (c->ops[k]->key(c, k, i) != c->keys[k])
			return 0;
	return 1;
}

int place_member(struct pctx *c, int32_t i)
{
	return member_from(c, i, 0, 0);
}

void place_grow(void **arr, size_t *cap, size_t need, size_t elem, void *own)
{
	size_t n = *cap;

	if (*arr != own) {
		xgrow(arr, cap, need, elem);
		return;
	}
	while (n < need)
		n *= 2;
	*arr = xmalloc(n * elem);
	memcpy(*arr, own, *cap * elem);
	*cap = n;
}

void place_add_range(struct pctx *c, int a, int32_t v, int k, int32_t lo, int32_t hi)
{
	struct trange *r;

	PLACE_GROW(c, r, c->n_r + 1);
	r = &c->r[c->n_r++];
	r->a = a;
	r->v = v;
	r->k = k;
	r->lo = lo;
	r->hi = hi;
	r->run = 0;
	r->key0 = 0;
	r->first = -1;
	r->live = 0;
	r->told = 0;
}

void place_add_part(struct pctx *c, int a, int32_t v, int key0)
{
	place_add_range(c, a, v, CL_BY_NUM, 0, cluster_part_size(c->cl, a, v));
	c->r[c->n_r - 1].key0 = key0;
}

/* A stride coprime with n, so j -> j * stride mod n visits every position. */
static int32_t stride_for(int32_t n)
{
	int32_t s = n > 1 ? (int32_t)(0x9E3779B1u % (uint32_t)n) : 1;

	for (;; s++) {
		int32_t x = s ? s : 1, y = n;

		while (y) {
			int32_t t = x % y;

			x = y;
			y = t;
		}
		if (x == 1 && s)
			return s;
	}
}

/* The end of range r: a run's is the rank of the first member past it,
 * found (once) when asked. */
static int32_t range_hi(const struct pctx *c, struct trange *r)
{
	if (r->hi == RANGE_RUN)
		r->hi = cluster_part_rank(c->cl, r->a, r->v, (enum cl_key)r->k, r->run + 1, 0);
	return r->hi;
}

/* The order-k key of instance i (a run's members share it). */
static int64_t order_key(const struct pctx *c, int k, int32_t i)
{
	return k == CL_BY_MEM ? cluster_mem_remaining(c->cl, i) : cluster_cpu_remaining(c->cl, i);
}

/* A walk over a range: the cursor in its order (its own, or the search's
 * c->live), placed at the first position looked up in the tree (none yet
 * when `placed` is 0). */
struct rwalk {
	int placed;
	struct cl_cursor *cur;
	struct cl_cursor own;
};

/* The first position >= p of range r that can hold a member, *x = its
 * instance: in the resource orders, instances short of the other resource
 * are skipped with the trees' subtree maxima.  -1 when none.  Called with
 * p = r->lo, then with p = the position returned + 1: after the first
 * lookup in the tree the cursor steps there (no descent per position). */
static int32_t range_next(struct pctx *c, const struct trange *r, struct rwalk *w, int32_t p,
			  int32_t *x)
{
	int32_t q;

	if (r->hi != RANGE_RUN && p >= r->hi)
		return -1;
	if (r->k < 0) {
		*x = c->ids[p];
		return p;
	}
	if (p == r->lo && r->first >= 0) {
		*x = r->first;
		return p;
	}
	if (!w->placed) {
		int64_t other = r->k == CL_BY_MEM ? c->req->cpu_units : c->req->mem_mib;
		int64_t max_key = r->first >= 0 ? r->run : INT64_MAX;   /* a run ends there */

		w->placed = 1;
		w->cur = &w->own;
		if (r->first >= 0 && p == r->lo + 1 && r->live == c->live_gen) {
			/* the search's cursor still stands at first: a step
			 * on, bounded by the run's amount (as a resume) */
			c->live_gen++;          /* (a later walk resumes) */
			w->cur = &c->live;
			cluster_cursor_bound(w->cur, max_key);
			q = cluster_cursor_next(w->cur);
		} else if (r->first >= 0 && p == r->lo + 1) {  /* on from where first was found */
			q = cluster_cursor_resume(w->cur, c->cl, r->a, r->v, (enum cl_key)r->k, other,
						  max_key, r->mark);
		} else {
			q = cluster_cursor_from(w->cur, c->cl, r->a, r->v, (enum cl_key)r->k, p, other,
						max_key);
		}
	} else {
		q = cluster_cursor_next(w->cur);
	}
	*x = w->cur->inst;
	if (r->k == CL_BY_NUM)          /* every position (p < hi <= the part's size) */
		return *x >= 0 ? q : -1;
	if (r->hi == RANGE_RUN)         /* a run ends at the first other key */
		return *x >= 0 && order_key(c, r->k, *x) == r->run ? q : -1;
	return q < r->hi ? q : -1;
}

/* Whether instance x of range r is a member (lists hold members only). */
static int is_member(struct pctx *c, const struct trange *r, int32_t x)
{
	if (r->k < 0 || x == r->first)
		return 1;
	return member_from(c, x, r->key0, 0);
}

/* is_member for an instance range_next stopped at: in a run, the walk
 * stops only at instances with room for both resources (the run's amount
 * is at least the need; the walk skips those short of the other one). */
static int walked_member(struct pctx *c, const struct trange *r, int32_t x)
{
	if (r->k < 0 || x == r->first)
		return 1;
	return member_from(c, x, r->key0, r->first >= 0);
}

/* Whether position p of range r is a member; *x = the instance. */
static int range_member(struct pctx *c, const struct trange *r, int32_t p, int32_t *x)
{
	*x = r->k < 0 ? c->ids[p] : cluster_part_at(c->cl, r->a, r->v, (enum cl_key)r->k, p);
	return is_member(c, r, *x);
}

/* The first member of r in its order (the earliest registered one: ranges
 * are ordered by number inside), or -1. */
static int32_t range_first(struct pctx *c, const struct trange *r)
{
	struct rwalk w;
	int32_t x;

	w.placed = 0;                   /* (the cursor is not cleared: it is large) */
	for (int32_t p = range_next(c, r, &w, r->lo, &x); p >= 0; p = range_next(c, r, &w, p + 1, &x))
		if (walked_member(c, r, x))
			return x;
	return -1;
}

int place_range_has_member(struct pctx *c, int a, int32_t v, enum cl_key k, int32_t lo,
			   int32_t hi, int key0)
{
	struct trange r = { a, v, (int)k, lo, hi, 0, key0, -1, { -1, 0, 0 }, 0, 0 };
	int32_t len = hi - lo, st, x;

	if (len <= 0)
		return 0;
	/* stride probes find members spread anywhere in O(1) probes when they
	 * are common; the walk makes the answer exact */
	st = stride_for(len);
	for (int32_t j = 0; j < len && j < PROBES; j++)
		if (range_member(c, &r, lo + (int32_t)(((int64_t)j * st) % len), &x))
			return 1;
	return range_first(c, &r) >= 0;
}

int place_solve(struct pctx *c, int k, int a, int32_t v)
{
	int32_t size = cluster_part_size(c->cl, a, v);

	if (size == 0)
		return 0;
	if (k == c->n) {
		if (!place_range_has_member(c, a, v, CL_BY_NUM, 0, size, k))
			return 0;
		place_add_part(c, a, v, k);
		return 1;
	}
	return c->ops[k]->search(c, k, a, v);
}

int place_cmp_keys(const struct pctx *c, int k, const int64_t *x, const int64_t *y)
{
	for (int j = k; j < c->n; j++)
		if (x[j] != y[j])
			return x[j] < y[j] ? -1 : 1;
	return 0;
}

static void keys_of(struct pctx *c, int k, int32_t i, int64_t *out)
{
	for (int j = k; j < c->n; j++)
		out[j] = c->ops[j]->key(c, j, i);
}

int place_exact_list(struct pctx *c, int k, const int32_t *cand, size_t n)
{
	int64_t best[PLACE_MAX_STRATEGIES], cur[PLACE_MAX_STRATEGIES];
	size_t first = c->n_ids;

	if (n == 0)
		return 0;
	keys_of(c, k, cand[0], best);
	for (size_t j = 1; j < n; j++) {
		keys_of(c, k, cand[j], cur);
		if (place_cmp_keys(c, k, cur, best) < 0)
			memcpy(best + k, cur + k, (size_t)(c->n - k) * sizeof *best);
	}
	for (size_t j = 0; j < n; j++) {
		keys_of(c, k, cand[j], cur);
		if (place_cmp_keys(c, k, cur, best) == 0) {
			PLACE_GROW(c, ids, c->n_ids + 1);
			c->ids[c->n_ids++] = cand[j];
		}
	}
	memcpy(c->keys + k, best + k, (size_t)(c->n - k) * sizeof *best);
	place_add_range(c, CL_ALL, 0, -1, (int32_t)first, (int32_t)c->n_ids);
	return 1;
}

int place_exact_part(struct pctx *c, int k, int a, int32_t v)
{
	int32_t size = cluster_part_size(c->cl, a, v);
	size_t n = 0;
	struct cl_cursor cur;

	PLACE_GROW(c, tmp, (size_t)size + 1);
	for (int32_t r = cluster_cursor_from(&cur, c->cl, a, v, CL_BY_NUM, 0, 0, INT64_MAX); r < size;
	     r = cluster_cursor_next(&cur)) {
		if (place_candidate(c, cur.inst))
			c->tmp[n++] = cur.inst;
	}
	return place_exact_list(c, k, c->tmp, n);
}

/* collect's step: member x of range r, when it is one of the tie set,
 * appended to c->tmp (*n of them); 0 when that would pass `limit`. */
static inline int take_member(struct pctx *c, const struct trange *r, int32_t x, size_t *n, size_t limit)
{
	if (!walked_member(c, r, x))
		return 1;
	if (*n == limit)
		return 0;
	PLACE_GROW(c, tmp, *n + 1);
	c->tmp[(*n)++] = x;
	return 1;
}

/* collect's step for a binpack run of a plain request (c->plain): every
 * instance the run's walk stops at is a member (it has the room for both
 * resources, and no later check can fail; the run's keys are c->keys), so
 * none is checked: the first, then those of its leaf (cluster_mark_run)
 * when the leaf told its end, else the walk's.  *n members so far. */
static int collect_plain_run(struct pctx *c, const struct trange *r, size_t *n, size_t limit)
{
	struct rwalk w;
	int32_t p, x;

	if (r->told) {
		/* (read into c->tmp after the first: no copy) */
		int32_t len = r->hi - r->lo;
		int got = 0;

		PLACE_GROW(c, tmp, *n + (size_t)len);
		c->tmp[*n] = r->first;
		if (len > 1)
			got = cluster_mark_run(c->cl, r->a, (enum cl_key)r->k, r->mark, len - 1,
					       r->k == CL_BY_MEM ? c->req->cpu_units : c->req->mem_mib,
					       c->tmp + *n + 1);
		if (*n + 1 + (size_t)got > limit)
			return 0;
		*n += 1 + (size_t)got;
		return 1;
	}
	w.placed = 0;
	for (p = r->lo, x = r->first; p >= 0; p = range_next(c, r, &w, p + 1, &x)) {
		if (*n == limit)
			return 0;
		PLACE_GROW(c, tmp, *n + 1);
		c->tmp[(*n)++] = x;
	}
	return 1;
}

/* Members of the tie set, in range order, into c->tmp; stops after `limit`
 * (returns limit + 1 then). */
static size_t collect(struct pctx *c, size_t limit)
{
	size_t n = 0;
	int32_t x;

	for (size_t j = 0; j < c->n_r; j++) {
		const struct trange *r = &c->r[j];
		struct rwalk w;
		int32_t p;

		if (r->first >= 0 && c->plain) {
			if (!collect_plain_run(c, r, &n, limit))
				return limit + 1;
			continue;
		}
		w.placed = 0;
		if (r->first >= 0 && r->told && r->hi > r->lo + 1) {
			/* a run ending in its first member's leaf: the members
			 * after the first read from there, as the walk would
			 * stop at them */
			int32_t in[64];
			int got = cluster_mark_run(c->cl, r->a, (enum cl_key)r->k, r->mark, r->hi - r->lo - 1,
						   r->k == CL_BY_MEM ? c->req->cpu_units : c->req->mem_mib, in);

			for (int t = -1; t < got; t++)
				if (!take_member(c, r, t < 0 ? r->first : in[t], &n, limit))
					return limit + 1;
			continue;
		}
		if (r->first >= 0) {            /* a run: its first member is known */
			p = r->lo;
			x = r->first;
		} else {
			p = range_next(c, r, &w, r->lo, &x);
		}
		/* (no call past a known end: a run of one ends at once) */
		for (; p >= 0; p = p + 1 == r->hi ? -1 : range_next(c, r, &w, p + 1, &x))
			if (!take_member(c, r, x, &n, limit))
				return limit + 1;
	}
	return n;
}

int32_t place_pick_answer(const struct cluster *cl, const struct place_req *req, const struct place_policy *p,
			  const struct sb_answer *a, gsl_rng *rng)
{
	int32_t m[ENUMERATE];
	int64_t other = p->fast.key == CL_BY_MEM ? req->cpu_units : req->mem_mib;
	int n = 0;

	if (p->tie_break != PT_RANDOM)
		return -1;
	/* collect's members, read as collect_plain_run reads a told run:
	 * the first, then the rest of the run from its leaf */
	for (unsigned t = a->tied; t; t &= t - 1) {
		int j = __builtin_ctz(t);
		const struct cl_probe *pr = &a->pr[j];
		int32_t len = pr->len;

		if (len < 0) {
			/* a run reaching its leaf's end, which the leaf's
			 * parent does not tell ended there: its length
			 * ranked (range_hi; the probe unranked until then),
			 * its one member the first, else walked by collect */
			struct cl_probe q = *pr;

			cluster_probe_rank(cl, p->fast.attr, a->vals[j], (enum cl_key)p->fast.key, &q);
			len = cluster_part_rank(cl, p->fast.attr, a->vals[j], (enum cl_key)p->fast.key,
						pr->amount + 1, 0) - q.rank;
			if (len > 1)
				return -1;
		}
		if (n + len > ENUMERATE)
			return -1;
		m[n] = pr->inst;
		if (len > 1)
			n += cluster_mark_run(cl, p->fast.attr, (enum cl_key)p->fast.key, pr->mark, len - 1, other,
					      m + n + 1);
		n++;
	}
	/* (no draw for a single member, A11) */
	return n == 1 ? m[0] : m[gsl_rng_uniform_int(rng, (unsigned long)n)];
}

int32_t place_pick(struct pctx *c, gsl_rng *rng)
{
	size_t total = 0, n;
	int32_t best = -1, x;

	/* the usual tie set, one binpack run known to hold one member: that
	 * one, by either tie-break (no draw for a single member, A11) */
	if ((c->n_r == 1) & (c->r[0].first >= 0) & (c->r[0].hi == c->r[0].lo + 1))   /* (one test) */
		return c->r[0].first;
	if (c->pol->tie_break == PT_FIRST) {
		for (size_t j = 0; j < c->n_r; j++) {
			x = range_first(c, &c->r[j]);
			if (x >= 0 && (best < 0 || x < best))
				best = x;
		}
		return best;
	}
	/* few members: enumerate them exactly (and draw only when there are
	 * two or more, A11) */
	n = collect(c, ENUMERATE);
	if (n <= ENUMERATE)
		return n == 1 ? c->tmp[0] : c->tmp[gsl_rng_uniform_int(rng, (unsigned long)n)];
	/* many: rejection sampling over the positions of the ranges */
	for (size_t j = 0; j < c->n_r; j++)
		total += (size_t)(range_hi(c, &c->r[j]) - c->r[j].lo);
	for (int t = 0; t < DRAWS; t++) {
		size_t pos = (size_t)gsl_rng_uniform_int(rng, (unsigned long)total);

		for (size_t j = 0; j < c->n_r; j++) {
			const struct trange *r = &c->r[j];
			size_t len = (size_t)(r->hi - r->lo);

			if (pos < len) {
				if (range_member(c, r, r->lo + (int32_t)pos, &x))
					return x;
				break;
			}
			pos -= len;
		}
	}
	n = collect(c, SIZE_MAX - 1);
	return c->tmp[gsl_rng_uniform_int(rng, (unsigned long)n)];
}
