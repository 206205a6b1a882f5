/* models/placement/common.c — the steps every strategy shares: the
 * eligibility filter and constraints in the order of ecs-choices A1, the
 * recursion over the chain, the exact fallbacks, and the final tie-break
 * over the tie set (ecs-choices A11).
 *
 * The tie set is a list of ranges whose union contains every tied candidate
 * and is ordered by instance number inside each range; a range may also hold
 * non-members (instances that fail the filter or have other keys), which
 * place_member() recomputes.  Tie-break "first" walks each range to its first
 * member; "random" first makes sure at least two members exist (A11: draw
 * only when more than one instance is tied), then draws uniform positions
 * over the union and keeps the first that is a member (rejection sampling:
 * uniform over the members), and after a bounded number of misses draws
 * among an exact enumeration instead.  Probing for members uses a fixed
 * stride permutation (no random draws), then an exhaustive walk, so every
 * answer is exact; costs are O(log n) per position looked at.
 */
#include "models/placement/strategy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/placement/cql.h"
#include "sim/mem.h"

#define PROBES 32          /* stride probes before an exhaustive walk */
#define DRAWS 256          /* rejection-sampling draws before enumerating */

/* Stage of the filter (A1), in order; a candidate passes all of them. */
enum {
	ST_AGENT, ST_CPU, ST_MEMORY, ST_PORTS, ST_ENI, ST_TASK_ENI, ST_GPU, ST_PLATFORM,
	ST_CONSTRAINTS
};

_Static_assert(ST_CONSTRAINTS == PLACE_N_FILTER_CHECKS, "filter checks");

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
	int nt = cluster_ports(c->cl, i, 0, &tcp), nu = cluster_ports(c->cl, i, 1, &udp);

	if (r->n_ports_tcp + r->n_ports_udp == 0)
		return 1;
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

int place_stage(const struct pctx *c, int32_t i)
{
	const struct place_req *r = c->req;
	const char *v;

	if (!cluster_agent_connected(c->cl, i))
		return ST_AGENT;
	if (cluster_cpu_remaining(c->cl, i) < r->cpu_units)
		return ST_CPU;
	if (cluster_mem_remaining(c->cl, i) < r->mem_mib)
		return ST_MEMORY;
	if (!ports_ok(c, i))
		return ST_PORTS;
	if (r->eni && cluster_eni_free(c->cl, i) < 1)
		return ST_ENI;
	if (r->eni && !cluster_attribute_by_id(c->cl, i, c->a_task_eni, &v))    /* D5 */
		return ST_TASK_ENI;
	if (r->gpus > 0 && cluster_gpu_remaining(c->cl, i) < r->gpus)
		return ST_GPU;
	if (!attr_is(c, i, c->a_os_family, r->os_family) || !attr_is(c, i, c->a_arch, r->cpu_arch))
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

const char *place_stage_reason(const struct pctx *c, int s)
{
	static const char *const base[] = {
		"AGENT", "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI",
		"ATTRIBUTE", "RESOURCE:GPU", "ATTRIBUTE",
	};

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

int place_member(struct pctx *c, int32_t i)
{
	if (!place_candidate(c, i))
		return 0;
	for (int k = 0; k < c->n; k++)
		if (c->ops[k]->key(c, k, i) != c->keys[k])
			return 0;
	return 1;
}

void place_add_range(struct pctx *c, int a, int32_t v, int k, int32_t lo, int32_t hi)
{
	struct trange *r;

	XGROW(c->r, c->cap_r, c->n_r + 1);
	r = &c->r[c->n_r++];
	r->a = a;
	r->v = v;
	r->k = k;
	r->lo = lo;
	r->hi = hi;
}

/* A stride coprime with n, so j -> j * stride mod n visits every position. */
static size_t stride_for(size_t n)
{
	size_t s = n > 1 ? 0x9E3779B1u % n : 1;

	for (;; s++) {
		size_t a = s ? s : 1, b = n;

		while (b) {
			size_t t = a % b;

			a = b;
			b = t;
		}
		if (a == 1 && s)
			return s;
	}
}

static size_t range_len(const struct trange *r)
{
	return (size_t)(r->hi - r->lo);
}

/* Instance at position pos of the union of the tie set, and whether the
 * caller must still check it (tree ranges). */
static int32_t at_pos(const struct pctx *c, size_t pos, int *exact)
{
	for (size_t j = 0; j < c->n_r; j++) {
		const struct trange *r = &c->r[j];

		if (pos < range_len(r)) {
			*exact = r->k < 0;
			if (r->k < 0)
				return c->ids[r->lo + (int32_t)pos];
			return cluster_part_at(c->cl, r->a, r->v, (enum cl_key)r->k, r->lo + (int32_t)pos);
		}
		pos -= range_len(r);
	}
	*exact = 0;
	return -1;
}

static int member_at(struct pctx *c, size_t pos, int32_t *inst)
{
	int exact;

	*inst = at_pos(c, pos, &exact);
	return exact || place_member(c, *inst);
}

static size_t total_len(const struct pctx *c)
{
	size_t s = 0;

	for (size_t j = 0; j < c->n_r; j++)
		s += range_len(&c->r[j]);
	return s;
}

/* Up to `want` distinct members of positions [from, from + len) of the
 * union: stride probes first, then every position. */
static int find_members(struct pctx *c, size_t from, size_t len, int want, int32_t *out)
{
	int got = 0;
	size_t st;
	int32_t x;

	if (len == 0)
		return 0;
	st = stride_for(len);
	for (size_t j = 0; j < len && j < PROBES && got < want; j++) {
		if (member_at(c, from + (j * st) % len, &x) && (got == 0 || out[0] != x))
			out[got++] = x;
	}
	for (size_t p = 0; p < len && got < want; p++) {
		if (member_at(c, from + p, &x) && (got == 0 || out[0] != x))
			out[got++] = x;
	}
	return got;
}

int place_range_has_member(struct pctx *c, int a, int32_t v, enum cl_key k, int32_t lo,
			   int32_t hi)
{
	size_t keep = c->n_r, from = total_len(c);
	int32_t x;
	int got;

	place_add_range(c, a, v, (int)k, lo, hi);
	got = find_members(c, from, (size_t)(hi - lo), 1, &x);
	c->n_r = keep;
	return got > 0;
}

int place_solve(struct pctx *c, int k, int a, int32_t v)
{
	int32_t size = cluster_part_size(c->cl, a, v);

	if (size == 0)
		return 0;
	if (k == c->n) {
		if (!place_range_has_member(c, a, v, CL_BY_NUM, 0, size))
			return 0;
		place_add_range(c, a, v, CL_BY_NUM, 0, size);
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
			XGROW(c->ids, c->cap_ids, c->n_ids + 1);
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

	XGROW(c->tmp, c->cap_tmp, (size_t)size + 1);
	for (int32_t r = 0; r < size; r++) {
		int32_t i = cluster_part_at(c->cl, a, v, CL_BY_NUM, r);

		if (place_candidate(c, i))
			c->tmp[n++] = i;
	}
	return place_exact_list(c, k, c->tmp, n);
}

int32_t place_pick(struct pctx *c, gsl_rng *rng)
{
	size_t total = total_len(c), from = 0;
	int32_t two[2], x, best = -1;
	size_t n = 0;

	if (c->pol->tie_break == PT_FIRST) {
		for (size_t j = 0; j < c->n_r; j++) {
			size_t len = range_len(&c->r[j]);

			/* ranges are ordered by number inside: the first member
			 * found is the range's earliest registered */
			for (size_t p = 0; p < len; p++) {
				if (member_at(c, from + p, &x)) {
					if (best < 0 || x < best)
						best = x;
					break;
				}
			}
			from += len;
		}
		return best;
	}
	if (find_members(c, 0, total, 2, two) < 2)
		return two[0];
	for (int t = 0; t < DRAWS; t++) {
		if (member_at(c, (size_t)gsl_rng_uniform_int(rng, (unsigned long)total), &x))
			return x;
	}
	XGROW(c->tmp, c->cap_tmp, total + 1);
	for (size_t p = 0; p < total; p++)
		if (member_at(c, p, &x))
			c->tmp[n++] = x;
	return c->tmp[gsl_rng_uniform_int(rng, (unsigned long)n)];
}
