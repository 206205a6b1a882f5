/* models/cluster.c — the container instances of one cluster and the indexes
 * placement reads (docs/ecs-model.md §1.6, §1.8, §2; choices D1–D9, A9, A10).
 *
 * Each instance keeps its registered and remaining CPU, memory and GPUs, its
 * reserved TCP and UDP host ports (small sorted arrays: the agent's defaults,
 * D2, plus the static ports of running tasks), its awsvpc ENI slots (D4), its
 * attributes (names and values interned; the built-ins of D1 first), its
 * status and agent flag, and the number of its tasks per task group.
 *
 * Invariant: an instance is in the placement indexes exactly when it is
 * placeable (status ACTIVE and agent connected), and every index entry is
 * updated inside reserve/release/status changes, never lazily.  The indexes
 * are order-statistic treaps (priority = a hash of the instance number, so
 * the shape is a pure function of the contents) whose nodes live in arrays
 * indexed by the instance number: one "forest" of three orders (remaining
 * memory, remaining CPU, number) for all placeable instances, and one per
 * tracked attribute whose trees (one per value) partition the placeable
 * instances.  Per task group the cluster keeps the instances running ≥ 1
 * task of it and, per tracked attribute, the task count per value (over all
 * instances, any status: A9).  Costs: reserve/release O(t log n) with t the
 * number of tracked attributes; totals O(1); tracking an attribute O(n log n)
 * once.  INACTIVE is terminal and drops the instance's tasks (D7).
 */
#include "models/cluster.h"
#include "models/cluster_idx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/placement/cql.h"
#include "sim/mem.h"
#include "sim/strtab.h"

#define NIL (-1)
#define N_ORDERS 3

struct igrp {
	uint32_t g;
	int32_t n;                /* tasks of g on the instance (≥ 1) */
	int32_t pos;              /* index of the instance in the group's list */
};

struct iattr {
	uint32_t name, value;     /* value STRTAB_NONE = present with no value */
};

struct portset {
	uint16_t *p;
	int n, cap;
};

struct inst {
	char *id, *ec2_id, *agent_version;
	uint32_t type, az;        /* interned values */
	int64_t cpu_reg, mem_reg, gpu_reg, gpu_used;
	int eni_cap, eni_used;
	struct portset ports[2];  /* [0] TCP, [1] UDP */
	struct iattr *attrs;
	int n_attrs;
	enum inst_status status;
	int agent;
	int32_t tasks;
	struct igrp *grp;
	const char **grp_names;   /* parallel to grp, for CQL task:group */
	int n_grp, cap_grp;
	int64_t registered_at;
};

/* A node keeps copies of its key and of the other resource (aux), written
 * when it is inserted: the cluster erases an instance before changing its
 * resources and inserts it again after, so the copies are always current and
 * a walk reads one node (one cache line) per level. */
struct tnode {
	int64_t key;              /* remaining memory / CPU; the number in CL_BY_NUM */
	int64_t aux;              /* the other resource (CL_BY_MEM, CL_BY_CPU) */
	int64_t mx;               /* max of aux over the subtree */
	int32_t l, r, sz;
};

struct forest {
	struct tnode *t[N_ORDERS];
};

struct part {
	int32_t root[N_ORDERS];
	uint32_t value;           /* STRTAB_NONE = the "no value" value */
};

struct gcount {
	int64_t *c;               /* per value index */
	int32_t n;
	int built;
};

struct sattr {
	uint32_t name;
	struct forest f;
	struct part *parts;
	int32_t n_parts;
	size_t cap_parts;
	int32_t *part_of_value;   /* by interned string id, -1 = none yet */
	size_t cap_pov;
	int32_t none_part;
	int32_t *inst_part;       /* by instance */
	struct gcount *gc;        /* by group id */
	size_t cap_gc;
};

struct group {
	int32_t *insts;           /* instances with ≥ 1 task of the group */
	int32_t n;
	size_t cap;
};

struct cluster {
	struct inst *in;
	int32_t n;
	size_t cap;
	int64_t *mem_rem, *cpu_rem;
	struct strtab *str, *gnames;
	struct group *groups;
	size_t cap_groups;
	struct forest all_f;
	struct part all;
	struct sattr *sa;
	int n_sa;
	size_t cap_sa;
	struct cluster_totals tot;
	uint32_t a_az, a_type, a_os_type, a_os_family, a_arch, a_ami, a_task_eni;
};

static const uint16_t linux_tcp[] = { 22, 2375, 2376, 51678, 51679 };          /* D2 */
static const uint16_t windows_tcp[] = { 53, 135, 139, 445, 2375, 2376, 3389, 5985, 5986,
					51678, 51679 };                           /* D2 */

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

static void forest_grow(struct forest *f, size_t cap)
{
	for (int k = 0; k < N_ORDERS; k++)
		f->t[k] = xrealloc(f->t[k], cap * sizeof *f->t[k]);
}

static void forest_free(struct forest *f)
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

/* ---- instances ---- */

static int placeable(const struct inst *in)
{
	return in->status == INST_ACTIVE && in->agent;
}

static int counted(enum inst_status st)
{
	return st == INST_ACTIVE || st == INST_DRAINING;
}

static uint32_t attr_value(const struct inst *in, uint32_t name, int *present)
{
	for (int k = 0; k < in->n_attrs; k++) {
		if (in->attrs[k].name == name) {
			*present = 1;
			return in->attrs[k].value;
		}
	}
	*present = 0;
	return STRTAB_NONE;
}

/* Value index of instance i for tracked attribute s, created when new. */
static int32_t value_index(struct cluster *cl, struct sattr *s, int32_t i)
{
	int present;
	uint32_t v = attr_value(&cl->in[i], s->name, &present);
	int32_t *slot;

	if (v == STRTAB_NONE) {
		slot = &s->none_part;           /* docs/ecs-model.md choice A10: one "no value" value */
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

static void index_insert(struct cluster *cl, int32_t i, int only_resources)
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

static void index_erase(struct cluster *cl, int32_t i, int only_resources)
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

struct cluster *cluster_new(void)
{
	struct cluster *cl = xcalloc(1, sizeof *cl);

	cl->str = strtab_new();
	cl->gnames = strtab_new();
	cl->all.root[0] = cl->all.root[1] = cl->all.root[2] = NIL;
	cl->all.value = STRTAB_NONE;
	cl->a_az = strtab_intern(cl->str, "ecs.availability-zone");
	cl->a_type = strtab_intern(cl->str, "ecs.instance-type");
	cl->a_os_type = strtab_intern(cl->str, "ecs.os-type");
	cl->a_os_family = strtab_intern(cl->str, "ecs.os-family");
	cl->a_arch = strtab_intern(cl->str, "ecs.cpu-architecture");
	cl->a_ami = strtab_intern(cl->str, "ecs.ami-id");
	cl->a_task_eni = strtab_intern(cl->str, "ecs.capability.task-eni");
	return cl;
}

void cluster_free(struct cluster *cl)
{
	if (!cl)
		return;
	for (int32_t i = 0; i < cl->n; i++) {
		struct inst *in = &cl->in[i];

		free(in->id);
		free(in->ec2_id);
		free(in->agent_version);
		free(in->ports[0].p);
		free(in->ports[1].p);
		free(in->attrs);
		free(in->grp);
		free(in->grp_names);
	}
	free(cl->in);
	free(cl->mem_rem);
	free(cl->cpu_rem);
	for (uint32_t g = 0; g < strtab_count(cl->gnames); g++)
		free(cl->groups[g].insts);
	free(cl->groups);
	forest_free(&cl->all_f);
	for (int a = 0; a < cl->n_sa; a++) {
		struct sattr *s = &cl->sa[a];

		forest_free(&s->f);
		free(s->parts);
		free(s->part_of_value);
		free(s->inst_part);
		for (size_t g = 0; g < s->cap_gc; g++)
			free(s->gc[g].c);
		free(s->gc);
	}
	free(cl->sa);
	strtab_free(cl->str);
	strtab_free(cl->gnames);
	free(cl);
}

static void add_attr(struct cluster *cl, struct inst *in, const char *name, const char *value)
{
	uint32_t id = strtab_intern(cl->str, name);
	int present;

	attr_value(in, id, &present);
	if (present)            /* D1: built-ins first; a later duplicate is ignored */
		return;
	in->attrs = xrealloc(in->attrs, (size_t)(in->n_attrs + 1) * sizeof *in->attrs);
	in->attrs[in->n_attrs].name = id;
	in->attrs[in->n_attrs].value = value ? strtab_intern(cl->str, value) : STRTAB_NONE;
	in->n_attrs++;
}

static void ports_init(struct portset *ps, const uint16_t *p, int n)
{
	ps->cap = n > 8 ? n : 8;
	ps->p = xmalloc((size_t)ps->cap * sizeof *ps->p);
	ps->n = 0;
	for (int k = 0; k < n; k++) {           /* sorted insert, duplicates dropped */
		int j = ps->n;

		while (j > 0 && ps->p[j - 1] > p[k])
			j--;
		if (j > 0 && ps->p[j - 1] == p[k])
			continue;
		memmove(ps->p + j + 1, ps->p + j, (size_t)(ps->n - j) * sizeof *ps->p);
		ps->p[j] = p[k];
		ps->n++;
	}
}

static void ports_add(struct portset *ps, const uint16_t *p, int n)
{
	for (int k = 0; k < n; k++) {
		int j = ps->n;

		if (ps->n == ps->cap) {
			ps->cap *= 2;
			ps->p = xrealloc(ps->p, (size_t)ps->cap * sizeof *ps->p);
		}
		while (j > 0 && ps->p[j - 1] > p[k])
			j--;
		memmove(ps->p + j + 1, ps->p + j, (size_t)(ps->n - j) * sizeof *ps->p);
		ps->p[j] = p[k];
		ps->n++;
	}
}

static void ports_remove(struct portset *ps, const uint16_t *p, int n)
{
	for (int k = 0; k < n; k++) {
		for (int j = 0; j < ps->n; j++) {
			if (ps->p[j] == p[k]) {
				memmove(ps->p + j, ps->p + j + 1, (size_t)(ps->n - j - 1) * sizeof *ps->p);
				ps->n--;
				break;
			}
		}
	}
}

int32_t cluster_add(struct cluster *cl, const struct instance_spec *sp)
{
	int32_t i = cl->n;
	struct inst *in;
	char buf[32];
	int win = sp->os_type && strcmp(sp->os_type, "windows") == 0;

	if ((size_t)i + 1 > cl->cap) {
		XGROW(cl->in, cl->cap, (size_t)i + 1);
		cl->mem_rem = xrealloc(cl->mem_rem, cl->cap * sizeof *cl->mem_rem);
		cl->cpu_rem = xrealloc(cl->cpu_rem, cl->cap * sizeof *cl->cpu_rem);
		forest_grow(&cl->all_f, cl->cap);
		for (int a = 0; a < cl->n_sa; a++) {
			forest_grow(&cl->sa[a].f, cl->cap);
			cl->sa[a].inst_part = xrealloc(cl->sa[a].inst_part,
						       cl->cap * sizeof *cl->sa[a].inst_part);
		}
	}
	in = &cl->in[i];
	memset(in, 0, sizeof *in);
	snprintf(buf, sizeof buf, "ci-%d", (int)i);
	in->id = xstrdup(sp->id ? sp->id : buf);
	in->ec2_id = xstrdup(sp->ec2_instance_id ? sp->ec2_instance_id : in->id);
	in->agent_version = sp->agent_version ? xstrdup(sp->agent_version) : NULL;
	in->type = strtab_intern(cl->str, sp->instance_type ? sp->instance_type : "");
	in->az = strtab_intern(cl->str, sp->az ? sp->az : "");
	in->cpu_reg = sp->cpu_units;
	in->mem_reg = sp->mem_mib;
	in->gpu_reg = sp->gpus;
	in->eni_cap = sp->eni_tasks;
	if (sp->reserved_tcp)
		ports_init(&in->ports[0], sp->reserved_tcp, sp->n_reserved_tcp);
	else if (win)
		ports_init(&in->ports[0], windows_tcp, (int)(sizeof windows_tcp / sizeof *windows_tcp));
	else
		ports_init(&in->ports[0], linux_tcp, (int)(sizeof linux_tcp / sizeof *linux_tcp));
	ports_init(&in->ports[1], sp->reserved_udp, sp->reserved_udp ? sp->n_reserved_udp : 0);
	/* D1: built-ins from the fields, then the others */
	if (sp->az)
		add_attr(cl, in, "ecs.availability-zone", sp->az);
	if (sp->instance_type)
		add_attr(cl, in, "ecs.instance-type", sp->instance_type);
	if (sp->os_type)
		add_attr(cl, in, "ecs.os-type", sp->os_type);
	if (sp->os_family)
		add_attr(cl, in, "ecs.os-family", sp->os_family);
	if (sp->cpu_arch)
		add_attr(cl, in, "ecs.cpu-architecture", sp->cpu_arch);
	if (sp->ami_id)
		add_attr(cl, in, "ecs.ami-id", sp->ami_id);
	for (int k = 0; k < sp->n_attrs; k++)
		add_attr(cl, in, sp->attrs[k].name, sp->attrs[k].value);
	in->status = INST_ACTIVE;
	in->agent = 1;
	in->registered_at = sp->registered_at_ms;
	cl->mem_rem[i] = sp->mem_mib;
	cl->cpu_rem[i] = sp->cpu_units;
	cl->n++;
	for (int a = 0; a < cl->n_sa; a++)
		cl->sa[a].inst_part[i] = value_index(cl, &cl->sa[a], i);
	index_insert(cl, i, 0);
	cl->tot.n_active++;
	cl->tot.n_registered++;
	cl->tot.cpu_registered += in->cpu_reg;
	cl->tot.mem_registered += in->mem_reg;
	return i;
}

int32_t cluster_count(const struct cluster *cl)
{
	return cl->n;
}

/* ---- groups ---- */

uint32_t cluster_group(struct cluster *cl, const char *name)
{
	uint32_t g = strtab_intern(cl->gnames, name);

	if (g >= cl->cap_groups) {
		size_t old = cl->cap_groups;

		XGROW(cl->groups, cl->cap_groups, (size_t)g + 1);
		memset(cl->groups + old, 0, (cl->cap_groups - old) * sizeof *cl->groups);
	}
	return g;
}

const char *cluster_group_name(const struct cluster *cl, uint32_t g)
{
	return strtab_str(cl->gnames, g);
}

static int grp_find(const struct inst *in, uint32_t g)
{
	for (int k = 0; k < in->n_grp; k++)
		if (in->grp[k].g == g)
			return k;
	return -1;
}

/* Tracked-attribute counts of group g change by d on instance i. */
static void spread_counts_add(struct cluster *cl, int32_t i, uint32_t g, int64_t d)
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

/* Group count of g on instance i changes by d (±1 or -all). */
static void group_add(struct cluster *cl, int32_t i, uint32_t g, int32_t d)
{
	struct inst *in = &cl->in[i];
	struct group *gr = &cl->groups[g];
	int k = grp_find(in, g);

	spread_counts_add(cl, i, g, d);
	if (k < 0) {
		if (in->n_grp == in->cap_grp) {
			in->cap_grp = in->cap_grp ? 2 * in->cap_grp : 4;
			in->grp = xrealloc(in->grp, (size_t)in->cap_grp * sizeof *in->grp);
			in->grp_names = xrealloc(in->grp_names, (size_t)in->cap_grp * sizeof *in->grp_names);
		}
		k = in->n_grp++;
		in->grp[k].g = g;
		in->grp[k].n = 0;
		in->grp_names[k] = strtab_str(cl->gnames, g);
		XGROW(gr->insts, gr->cap, (size_t)gr->n + 1);
		in->grp[k].pos = gr->n;
		gr->insts[gr->n++] = i;
	}
	in->grp[k].n += d;
	if (in->grp[k].n == 0) {
		int32_t pos = in->grp[k].pos, moved = gr->insts[--gr->n];

		gr->insts[pos] = moved;
		if (moved != i)
			cl->in[moved].grp[grp_find(&cl->in[moved], g)].pos = pos;
		in->n_grp--;
		in->grp[k] = in->grp[in->n_grp];
		in->grp_names[k] = in->grp_names[in->n_grp];
	}
}

/* ---- reserve / release (docs/ecs-model.md §1.6; D9) ---- */

static void account(struct cluster *cl, int32_t i, const struct place_req *r, int sign)
{
	struct inst *in = &cl->in[i];
	int idx = placeable(in);
	int on = counted(in->status);

	if (idx)
		index_erase(cl, i, 1);
	cl->cpu_rem[i] -= sign * r->cpu_units;
	cl->mem_rem[i] -= sign * r->mem_mib;
	if (idx)
		index_insert(cl, i, 1);
	if (sign > 0) {
		ports_add(&in->ports[0], r->ports_tcp, r->n_ports_tcp);
		ports_add(&in->ports[1], r->ports_udp, r->n_ports_udp);
	} else {
		ports_remove(&in->ports[0], r->ports_tcp, r->n_ports_tcp);
		ports_remove(&in->ports[1], r->ports_udp, r->n_ports_udp);
	}
	in->eni_used += sign * (r->eni ? 1 : 0);
	in->gpu_used += sign * r->gpus;
	if (on) {
		cl->tot.cpu_reserved += sign * r->cpu_units;
		cl->tot.mem_reserved += sign * r->mem_mib;
		if (sign > 0 && in->tasks == 0)
			cl->tot.n_used++;
		if (sign < 0 && in->tasks == 1)
			cl->tot.n_used--;
	}
	in->tasks += sign;
	cl->tot.tasks += sign;
}

void cluster_reserve(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g)
{
	if (cl->in[i].status == INST_INACTIVE)
		return;
	account(cl, i, r, 1);
	group_add(cl, i, g, 1);
}

void cluster_release(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g)
{
	/* D9: a task not running there (never placed, stopped, or its instance
	 * INACTIVE, D7) changes nothing */
	if (cl->in[i].status == INST_INACTIVE || cluster_group_tasks_on(cl, i, g) == 0)
		return;
	account(cl, i, r, -1);
	group_add(cl, i, g, -1);
}

/* ---- status (docs/ecs-model.md §2.3; D6–D8) ---- */

static void set_state(struct cluster *cl, int32_t i, enum inst_status st, int agent)
{
	struct inst *in = &cl->in[i];
	int was_idx = placeable(in), was_on = counted(in->status);
	int is_on = counted(st);

	if (was_idx)
		index_erase(cl, i, 0);
	if (was_on && !is_on) {
		cl->tot.n_registered--;
		cl->tot.cpu_registered -= in->cpu_reg;
		cl->tot.mem_registered -= in->mem_reg;
		cl->tot.cpu_reserved -= in->cpu_reg - cl->cpu_rem[i];
		cl->tot.mem_reserved -= in->mem_reg - cl->mem_rem[i];
		if (in->tasks > 0)
			cl->tot.n_used--;
	} else if (!was_on && is_on) {
		cl->tot.n_registered++;
		cl->tot.cpu_registered += in->cpu_reg;
		cl->tot.mem_registered += in->mem_reg;
		cl->tot.cpu_reserved += in->cpu_reg - cl->cpu_rem[i];
		cl->tot.mem_reserved += in->mem_reg - cl->mem_rem[i];
		if (in->tasks > 0)
			cl->tot.n_used++;
	}
	cl->tot.n_active += (st == INST_ACTIVE) - (in->status == INST_ACTIVE);
	in->status = st;
	in->agent = agent;
	if (st == INST_INACTIVE) {
		/* D7: the instance's tasks stop counting anywhere */
		while (in->n_grp > 0)
			group_add(cl, i, in->grp[0].g, -in->grp[0].n);
		cl->tot.tasks -= in->tasks;
		in->tasks = 0;
	}
	if (placeable(in))
		index_insert(cl, i, 0);
}

void cluster_set_status(struct cluster *cl, int32_t i, enum inst_status st)
{
	if (cl->in[i].status == INST_INACTIVE || cl->in[i].status == st)
		return;        /* D7: terminal */
	set_state(cl, i, st, cl->in[i].agent);
}

void cluster_set_agent_connected(struct cluster *cl, int32_t i, int connected)
{
	if (cl->in[i].agent == !!connected)
		return;
	set_state(cl, i, cl->in[i].status, !!connected);
}

/* ---- read access ---- */

const char *cluster_id(const struct cluster *cl, int32_t i) { return cl->in[i].id; }
const char *cluster_ec2_id(const struct cluster *cl, int32_t i) { return cl->in[i].ec2_id; }
const char *cluster_agent_version(const struct cluster *cl, int32_t i) { return cl->in[i].agent_version; }
int64_t cluster_registered_at(const struct cluster *cl, int32_t i) { return cl->in[i].registered_at; }
const char *cluster_az(const struct cluster *cl, int32_t i) { return strtab_str(cl->str, cl->in[i].az); }
const char *cluster_type(const struct cluster *cl, int32_t i) { return strtab_str(cl->str, cl->in[i].type); }
enum inst_status cluster_status(const struct cluster *cl, int32_t i) { return cl->in[i].status; }
int cluster_agent_connected(const struct cluster *cl, int32_t i) { return cl->in[i].agent; }
int64_t cluster_cpu_registered(const struct cluster *cl, int32_t i) { return cl->in[i].cpu_reg; }
int64_t cluster_mem_registered(const struct cluster *cl, int32_t i) { return cl->in[i].mem_reg; }
int64_t cluster_cpu_remaining(const struct cluster *cl, int32_t i) { return cl->cpu_rem[i]; }
int64_t cluster_mem_remaining(const struct cluster *cl, int32_t i) { return cl->mem_rem[i]; }
int32_t cluster_tasks_on(const struct cluster *cl, int32_t i) { return cl->in[i].tasks; }
int64_t cluster_gpu_remaining(const struct cluster *cl, int32_t i) { return cl->in[i].gpu_reg - cl->in[i].gpu_used; }
int cluster_eni_free(const struct cluster *cl, int32_t i) { return cl->in[i].eni_cap - cl->in[i].eni_used; }

int32_t cluster_group_tasks_on(const struct cluster *cl, int32_t i, uint32_t g)
{
	int k = grp_find(&cl->in[i], g);

	return k < 0 ? 0 : cl->in[i].grp[k].n;
}

int cluster_ports(const struct cluster *cl, int32_t i, int udp, const uint16_t **ports)
{
	const struct portset *ps = &cl->in[i].ports[udp ? 1 : 0];

	*ports = ps->p;
	return ps->n;
}

int cluster_task_groups(const struct cluster *cl, int32_t i, const char *const **groups)
{
	*groups = cl->in[i].grp_names;
	return cl->in[i].n_grp;
}

void cluster_filter_ids(const struct cluster *cl, struct cluster_filter_ids *ids)
{
	ids->task_eni = cl->a_task_eni;
	ids->os_family = cl->a_os_family;
	ids->cpu_arch = cl->a_arch;
}

uint32_t cluster_attr_id(const struct cluster *cl, const char *name)
{
	return strtab_find(cl->str, name);
}

int cluster_attribute_by_id(const struct cluster *cl, int32_t i, uint32_t name, const char **value)
{
	int present;
	uint32_t v = name == STRTAB_NONE ? STRTAB_NONE : attr_value(&cl->in[i], name, &present);

	if (name == STRTAB_NONE || !present)
		return 0;
	*value = v == STRTAB_NONE ? NULL : strtab_str(cl->str, v);
	return 1;
}

int cluster_attribute(const struct cluster *cl, int32_t i, const char *name, const char **value)
{
	return cluster_attribute_by_id(cl, i, strtab_find(cl->str, name), value);
}

void cluster_totals(const struct cluster *cl, struct cluster_totals *t)
{
	*t = cl->tot;
}

/* ---- the CQL view ---- */

static const struct cluster_ref *ref(const void *x) { return x; }

static int v_attribute(const void *x, const char *name, const char **value)
{
	return cluster_attribute(ref(x)->cl, ref(x)->i, name, value);
}
static const char *v_id(const void *x) { return cluster_id(ref(x)->cl, ref(x)->i); }
static const char *v_ec2(const void *x) { return cluster_ec2_id(ref(x)->cl, ref(x)->i); }
static int v_agent(const void *x) { return cluster_agent_connected(ref(x)->cl, ref(x)->i); }
static const char *v_version(const void *x) { return cluster_agent_version(ref(x)->cl, ref(x)->i); }
static int64_t v_registered(const void *x) { return cluster_registered_at(ref(x)->cl, ref(x)->i); }
static int64_t v_running(const void *x) { return cluster_tasks_on(ref(x)->cl, ref(x)->i); }
static int v_groups(const void *x, const char *const **groups)
{
	return cluster_task_groups(ref(x)->cl, ref(x)->i, groups);
}

static const struct cql_view the_view = {
	.attribute = v_attribute,
	.instance_id = v_id,
	.ec2_instance_id = v_ec2,
	.agent_connected = v_agent,
	.agent_version = v_version,
	.registered_at_ms = v_registered,
	.running_tasks_count = v_running,
	.task_groups = v_groups,
};

const struct cql_view *cluster_cql_view(void)
{
	return &the_view;
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
	forest_grow(&s->f, cl->cap ? cl->cap : 1);
	s->inst_part = xmalloc((cl->cap ? cl->cap : 1) * sizeof *s->inst_part);
	for (int32_t i = 0; i < cl->n; i++) {
		s->inst_part[i] = value_index(cl, s, i);
		if (placeable(&cl->in[i]))
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
