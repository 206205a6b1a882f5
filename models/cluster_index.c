/* models/cluster_index.c — the indexes the cluster keeps for placement
 * (declared in cluster_idx.h): order-statistic treaps over the placeable
 * instances, the tracked attributes and their per-group task counts
 * (choices A9, A10).  Kept current by cluster.c through cl_index_insert /
 * cl_index_erase (cluster_int.h).
 *
 * The treaps (priority = a hash of the instance number, so the shape is a
 * pure function of the contents) keep their nodes in arrays indexed by the
 * instance number: one "forest" of three orders (remaining memory, remaining
 * CPU, number) for all placeable instances, and one per tracked attribute
 * whose trees (one per value) partition the placeable instances.  Per task
 * group the cluster keeps the instances running ≥ 1 task of it and, per
 * tracked attribute, the task count per value (over all instances, any
 * status: A9).  Costs: insert/erase O(log n) per tree; tracking an attribute
 * O(n log n) once.
 */
#include "models/cluster_idx.h"
#include "models/cluster_int.h"

#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/strtab.h"

/* ---- order-statistic treap over arrays indexed by instance number ---- */

struct tv {
	struct tnode *n;
};

static inline uint32_t prio(int32_t x)
{
	uint32_t h = (uint32_t)x * 0x9E3779B1u;

	h ^= h >> 15;
	h *= 0x85EBCA77u;
	h ^= h >> 13;
	return h;
}

/* (key, number) of a before that of b */
static inline int before(const struct tv *t, int32_t a, int32_t b)
{
	if (t->n[a].key != t->n[b].key)
		return t->n[a].key < t->n[b].key;
	return a < b;
}

static inline int32_t tsz(const struct tv *t, int32_t x)
{
	return x == NIL ? 0 : t->n[x].sz;
}

static inline void upd(const struct tv *t, int32_t x)
{
	struct tnode *n = &t->n[x];
	int64_t m = n->aux;

	n->sz = 1;
	if (n->l != NIL) {
		n->sz += t->n[n->l].sz;
		if (t->n[n->l].mx > m)
			m = t->n[n->l].mx;
	}
	if (n->r != NIL) {
		n->sz += t->n[n->r].sz;
		if (t->n[n->r].mx > m)
			m = t->n[n->r].mx;
	}
	n->mx = m;
}

/* Split `root` into nodes before x (*lo) and after x (*hi); x is not in it. */
static void split(const struct tv *t, int32_t root, int32_t x, int32_t *lo, int32_t *hi)
{
	if (root == NIL) {
		*lo = *hi = NIL;
	} else if (before(t, root, x)) {
		split(t, t->n[root].r, x, &t->n[root].r, hi);
		upd(t, root);
		*lo = root;
	} else {
		split(t, t->n[root].l, x, lo, &t->n[root].l);
		upd(t, root);
		*hi = root;
	}
}

static int32_t merge(const struct tv *t, int32_t a, int32_t b)
{
	if (a == NIL)
		return b;
	if (b == NIL)
		return a;
	if (prio(a) > prio(b)) {
		t->n[a].r = merge(t, t->n[a].r, b);
		upd(t, a);
		return a;
	}
	t->n[b].l = merge(t, a, t->n[b].l);
	upd(t, b);
	return b;
}

static int32_t ins(const struct tv *t, int32_t root, int32_t x)
{
	if (root == NIL) {
		t->n[x].l = t->n[x].r = NIL;
		upd(t, x);
		return x;
	}
	if (prio(x) > prio(root)) {
		split(t, root, x, &t->n[x].l, &t->n[x].r);
		upd(t, x);
		return x;
	}
	if (before(t, x, root))
		t->n[root].l = ins(t, t->n[root].l, x);
	else
		t->n[root].r = ins(t, t->n[root].r, x);
	upd(t, root);
	return root;
}

static int32_t era(const struct tv *t, int32_t root, int32_t x)
{
	if (root == x)
		return merge(t, t->n[x].l, t->n[x].r);
	if (before(t, x, root))
		t->n[root].l = era(t, t->n[root].l, x);
	else
		t->n[root].r = era(t, t->n[root].r, x);
	upd(t, root);
	return root;
}

static int32_t t_at(const struct tv *t, int32_t root, int32_t rank)
{
	while (root != NIL) {
		int32_t ls = tsz(t, t->n[root].l);

		if (rank < ls) {
			root = t->n[root].l;
		} else if (rank == ls) {
			return root;
		} else {
			rank -= ls + 1;
			root = t->n[root].r;
		}
	}
	return NIL;
}

/* Number of nodes before (key, x). */
static int32_t t_rank(const struct tv *t, int32_t root, int64_t key, int32_t x)
{
	int32_t r = 0;

	while (root != NIL) {
		const struct tnode *n = &t->n[root];
		int lt = n->key != key ? n->key < key : root < x;

		if (lt) {
			r += tsz(t, n->l) + 1;
			root = n->r;
		} else {
			root = n->l;
		}
	}
	return r;
}

/* Smallest rank >= from (ranks offset by base) whose node has aux >= min,
 * or -1; *node = that node.  Subtrees whose max is below min are skipped. */
static int32_t t_next(const struct tv *t, int32_t x, int32_t base, int32_t from, int64_t min,
		      int32_t *node)
{
	while (x != NIL && t->n[x].mx >= min) {
		const struct tnode *n = &t->n[x];
		int32_t me = base + tsz(t, n->l);

		if (from < me) {
			int32_t r = t_next(t, n->l, base, from, min, node);

			if (r >= 0)
				return r;
		}
		if (me >= from && n->aux >= min) {
			*node = x;
			return me;
		}
		base = me + 1;
		x = n->r;
	}
	return -1;
}

static struct tv view(const struct forest *f, int k)
{
	struct tv t = { f->t[k] };

	return t;
}

void cl_forest_grow(struct forest *f, size_t cap)
{
	for (int k = 0; k < N_ORDERS; k++)
		f->t[k] = xrealloc(f->t[k], cap * sizeof *f->t[k]);
}

void cl_forest_free(struct forest *f)
{
	for (int k = 0; k < N_ORDERS; k++)
		free(f->t[k]);
}

/* Memory order carries the CPU left as aux and CPU order the memory left,
 * so a walk skips whole subtrees that lack the other resource. */
static void part_insert(const struct cluster *cl, const struct forest *f, struct part *p,
			int k, int32_t i)
{
	struct tv t = view(f, k);
	struct tnode *n = &t.n[i];

	n->key = k == CL_BY_MEM ? cl->mem_rem[i] : k == CL_BY_CPU ? cl->cpu_rem[i] : i;
	n->aux = k == CL_BY_MEM ? cl->cpu_rem[i] : k == CL_BY_CPU ? cl->mem_rem[i] : 0;
	p->root[k] = ins(&t, p->root[k], i);
}

static void part_erase(const struct forest *f, struct part *p, int k, int32_t i)
{
	struct tv t = view(f, k);

	p->root[k] = era(&t, p->root[k], i);
}

/* ---- tracked attributes ---- */

/* Value index of instance i for tracked attribute s, created when new. */
int32_t cl_value_index(struct cluster *cl, struct sattr *s, int32_t i)
{
	int present;
	uint32_t v = cl_attr_value(&cl->in[i], s->name, &present);
	int32_t *slot;

	if (v == STRTAB_NONE) {
		slot = &s->none_part;           /* choice A10: one "no value" value */
	} else {
		if (v >= s->cap_pov) {
			size_t old = s->cap_pov;

			XGROW(s->part_of_value, s->cap_pov, (size_t)v + 1);
			for (size_t k = old; k < s->cap_pov; k++)
				s->part_of_value[k] = -1;
		}
		slot = &s->part_of_value[v];
	}
	if (*slot < 0) {
		struct part *p;

		XGROW(s->parts, s->cap_parts, (size_t)s->n_parts + 1);
		p = &s->parts[s->n_parts];
		p->root[0] = p->root[1] = p->root[2] = NIL;
		p->value = v;
		*slot = s->n_parts++;
	}
	return *slot;
}

void cl_index_insert(struct cluster *cl, int32_t i, int only_resources)
{
	for (int k = 0; k < N_ORDERS; k++) {
		if (only_resources && k == CL_BY_NUM)
			continue;
		part_insert(cl, &cl->all_f, &cl->all, k, i);
		for (int a = 0; a < cl->n_sa; a++) {
			struct sattr *s = &cl->sa[a];

			part_insert(cl, &s->f, &s->parts[s->inst_part[i]], k, i);
		}
	}
}

void cl_index_erase(struct cluster *cl, int32_t i, int only_resources)
{
	for (int k = 0; k < N_ORDERS; k++) {
		if (only_resources && k == CL_BY_NUM)
			continue;
		part_erase(&cl->all_f, &cl->all, k, i);
		for (int a = 0; a < cl->n_sa; a++) {
			struct sattr *s = &cl->sa[a];

			part_erase(&s->f, &s->parts[s->inst_part[i]], k, i);
		}
	}
}

/* Tracked-attribute counts of group g change by d on instance i. */
void cl_spread_counts_add(struct cluster *cl, int32_t i, uint32_t g, int64_t d)
{
	for (int a = 0; a < cl->n_sa; a++) {
		struct sattr *s = &cl->sa[a];
		struct gcount *c;
		int32_t v;

		if (g >= s->cap_gc || !s->gc[g].built)
			continue;
		c = &s->gc[g];
		v = s->inst_part[i];
		if (v >= c->n) {
			size_t cap = (size_t)c->n;

			XGROW(c->c, cap, (size_t)s->n_parts);
			memset(c->c + c->n, 0, (cap - (size_t)c->n) * sizeof *c->c);
			c->n = (int32_t)cap;
		}
		c->c[v] += d;
	}
}

/* ---- index access (cluster_idx.h) ---- */

static const struct forest *forest_of(const struct cluster *cl, int a)
{
	return a == CL_ALL ? &cl->all_f : &cl->sa[a].f;
}

static const struct part *part_of(const struct cluster *cl, int a, int32_t v)
{
	return a == CL_ALL ? &cl->all : &cl->sa[a].parts[v];
}

int32_t cluster_part_size(const struct cluster *cl, int a, int32_t v)
{
	int32_t root = part_of(cl, a, v)->root[CL_BY_NUM];

	return root == NIL ? 0 : forest_of(cl, a)->t[CL_BY_NUM][root].sz;
}

int32_t cluster_part_at(const struct cluster *cl, int a, int32_t v, enum cl_key k, int32_t rank)
{
	struct tv t = view(forest_of(cl, a), k);

	return t_at(&t, part_of(cl, a, v)->root[k], rank);
}

int32_t cluster_part_rank(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int64_t key, int32_t inst)
{
	struct tv t = view(forest_of(cl, a), k);

	return t_rank(&t, part_of(cl, a, v)->root[k], k == CL_BY_NUM ? inst : key, inst);
}

int32_t cluster_part_next(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int32_t from, int64_t other_min, int32_t *inst)
{
	struct tv t = view(forest_of(cl, a), k);
	int32_t root = part_of(cl, a, v)->root[k], r;

	if (k == CL_BY_NUM) {
		r = from;
		*inst = t_at(&t, root, from);
	} else {
		r = t_next(&t, root, 0, from, other_min, inst);
	}
	if (r < 0 || *inst == NIL) {
		*inst = -1;
		return tsz(&t, root);
	}
	return r;
}

int cluster_spread_attr(struct cluster *cl, const char *name)
{
	uint32_t id = strtab_intern(cl->str, name);
	struct sattr *s;

	for (int a = 0; a < cl->n_sa; a++)
		if (cl->sa[a].name == id)
			return a;
	XGROW(cl->sa, cl->cap_sa, (size_t)cl->n_sa + 1);
	s = &cl->sa[cl->n_sa];
	memset(s, 0, sizeof *s);
	s->name = id;
	s->none_part = -1;
	cl_forest_grow(&s->f, cl->cap ? cl->cap : 1);
	s->inst_part = xmalloc((cl->cap ? cl->cap : 1) * sizeof *s->inst_part);
	for (int32_t i = 0; i < cl->n; i++) {
		s->inst_part[i] = cl_value_index(cl, s, i);
		if (cl_placeable(&cl->in[i]))
			for (int k = 0; k < N_ORDERS; k++)
				part_insert(cl, &s->f, &s->parts[s->inst_part[i]], k, i);
	}
	return cl->n_sa++;
}

int32_t cluster_spread_nvalues(const struct cluster *cl, int a)
{
	return cl->sa[a].n_parts;
}

int32_t cluster_spread_value(const struct cluster *cl, int a, int32_t i)
{
	return cl->sa[a].inst_part[i];
}

int64_t cluster_spread_count(struct cluster *cl, int a, int32_t v, uint32_t g)
{
	struct sattr *s = &cl->sa[a];
	struct gcount *c;

	if (g >= cl->cap_groups)
		return 0;
	if (g >= s->cap_gc) {
		size_t old = s->cap_gc;

		XGROW(s->gc, s->cap_gc, (size_t)g + 1);
		memset(s->gc + old, 0, (s->cap_gc - old) * sizeof *s->gc);
	}
	c = &s->gc[g];
	if (!c->built) {
		const struct group *gr = &cl->groups[g];

		c->n = s->n_parts;
		c->c = xcalloc((size_t)(c->n ? c->n : 1), sizeof *c->c);
		for (int32_t k = 0; k < gr->n; k++) {
			int32_t i = gr->insts[k];

			c->c[s->inst_part[i]] += cluster_group_tasks_on(cl, i, g);
		}
		c->built = 1;
	}
	return v < c->n ? c->c[v] : 0;
}
