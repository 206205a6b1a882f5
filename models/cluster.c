/* models/cluster.c — the container instances of one cluster and their
 * accounting: registration, reserve/release, status, task groups, totals,
 * read access and the CQL view (docs/ecs-model.md §1.6, §1.8, §2; choices
 * D1–D9).  The placement indexes are in cluster_index.c; shared structures
 * in cluster_int.h.
 *
 * Each instance keeps its registered and remaining CPU, memory and GPUs, its
 * reserved TCP and UDP host ports (small sorted arrays: the agent's defaults,
 * D2, plus the static ports of running tasks), its awsvpc ENI slots (D4), its
 * attributes (names and values interned; the built-ins of D1 first), its
 * status and agent flag, and the number of its tasks per task group.
 * Costs: reserve/release O(t log n) with t the number of tracked attributes;
 * totals O(1).  INACTIVE is terminal and drops the instance's tasks (D7).
 */
#include "models/cluster.h"
#include "models/cluster_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/placement/cql.h"
#include "sim/mem.h"
#include "sim/strtab.h"

static const uint16_t linux_tcp[] = { 22, 2375, 2376, 51678, 51679 };          /* D2 */
static const uint16_t windows_tcp[] = { 53, 135, 139, 445, 2375, 2376, 3389, 5985, 5986,
					51678, 51679 };                           /* D2 */

int cluster_default_reserved_tcp(int windows)
{
	return windows ? (int)(sizeof windows_tcp / sizeof *windows_tcp)
		       : (int)(sizeof linux_tcp / sizeof *linux_tcp);
}

/* ---- instances ---- */

const uint16_t *cluster_reserved_ports(const struct instance_spec *sp, int udp, int *n)
{
	int win = sp->os_type && strcmp(sp->os_type, "windows") == 0;

	if (udp) {
		*n = sp->reserved_udp ? sp->n_reserved_udp : 0;
		return sp->reserved_udp;
	}
	if (sp->reserved_tcp) {
		*n = sp->n_reserved_tcp;
		return sp->reserved_tcp;
	}
	*n = win ? (int)(sizeof windows_tcp / sizeof *windows_tcp)
		 : (int)(sizeof linux_tcp / sizeof *linux_tcp);
	return win ? windows_tcp : linux_tcp;
}

static int counted(enum inst_status st)
{
	return st == INST_ACTIVE || st == INST_DRAINING;
}

uint32_t cl_attr_value(const struct inst_info *in, uint32_t name, int *present)
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

/* cluster_add's memo and store: the id each of its strings interned to
 * last time, by the spec's field (REG_HINTS: type, AZ, OS type, OS family,
 * architecture, AMI, then the names and values of the first 13 other
 * attributes), so an instance like the one before interns with a strcmp per
 * string and no hash; the attribute lists made last (instances of one type
 * in one AZ have the same list: they share it, never written after
 * cluster_add); and the pool holding the instances' ids, agent versions and
 * attribute lists for the cluster's life (no malloc or free per
 * instance). */
#define REG_HINTS 32
#define REG_LISTS 4

struct cl_reg {
	uint32_t hint[REG_HINTS];
	const char *version;               /* the last agent version kept */
	const struct iattr *list[REG_LISTS];
	int n_list[REG_LISTS];
	int next_list;                     /* the list a new one replaces */
	struct xpool pool;
};

struct cluster *cluster_new(void)
{
	static uint64_t serials;
	struct cluster *cl = xcalloc(1, sizeof *cl);

	cl->serial = ++serials;

	cl->str = strtab_new();
	cl->gnames = strtab_new();
	cl->reg = xcalloc(1, sizeof *cl->reg);
	for (int k = 0; k < REG_HINTS; k++)
		cl->reg->hint[k] = STRTAB_NONE;
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

uint64_t cluster_serial(const struct cluster *cl)
{
	return cl->serial;
}

void cluster_free(struct cluster *cl)
{
	if (!cl)
		return;
	for (int32_t i = 0; i < cl->n; i++) {
		struct inst *in = &cl->in[i];
		struct inst_info *ci = &cl->info[i];

		for (int k = 0; k < 2; k++)
			if (ci->ports[k].cap > PS_IN)
				free(ci->ports[k].u.p);
		if (in->grp != in->g_in)
			free(in->grp);
		free(ci->grp_names);
		if (ci->hold)
			free(ci->hold->e);
		free(ci->hold);
	}
	free(cl->in_mem);
	free(cl->info);
	free(cl->live);
	cl_forest_free(&cl->all_f);
	for (int a = 0; a < cl->n_sa; a++) {
		struct sattr *s = &cl->sa[a];

		cl_forest_free(&s->f);
		free(s->parts);
		free(s->part_of_value);
		free(s->inst_part);
		for (size_t g = 0; g < s->cap_gc; g++)
			free(s->gc[g].c);
		free(s->gc);
	}
	free(cl->sa);
	free(cl->mv);
	strtab_free(cl->str);
	strtab_free(cl->gnames);
	xpool_free(&cl->reg->pool);
	free(cl->reg);
	free(cl);
}

/* s's id, by the memo's hint h when h < REG_HINTS (struct cl_reg). */
static uint32_t intern(struct cluster *cl, const char *s, int h)
{
	return h < REG_HINTS ? strtab_intern_hint(cl->str, s, &cl->reg->hint[h]) : strtab_intern(cl->str, s);
}

/* Attribute `name` (interned) with `value` joins the list a[0..n); the new
 * count.  The value is interned (hint h) only when the name is new. */
static int add_attr(struct cluster *cl, struct iattr *a, int n, uint32_t name, const char *value, int h)
{
	for (int k = 0; k < n; k++)
		if (a[k].name == name)  /* D1: built-ins first; a later duplicate is ignored */
			return n;
	a[n].name = name;
	a[n].value = value ? intern(cl, value, h) : STRTAB_NONE;
	return n + 1;
}

/* The pool's copy of the list a[0..n): one of the last lists made when it
 * is the same (struct cl_reg). */
static const struct iattr *attr_list(struct cl_reg *r, const struct iattr *a, int n)
{
	struct iattr *l;

	for (int k = 0; k < REG_LISTS; k++)
		if (r->list[k] && r->n_list[k] == n && memcmp(r->list[k], a, (size_t)n * sizeof *a) == 0)
			return r->list[k];
	l = xpool_alloc(&r->pool, (size_t)n * sizeof *a);
	memcpy(l, a, (size_t)n * sizeof *a);
	r->list[r->next_list] = l;
	r->n_list[r->next_list] = n;
	r->next_list = (r->next_list + 1) % REG_LISTS;
	return l;
}

/* The ports of ps, where they are held (struct portset). */
static inline uint16_t *ps_ports(struct portset *ps)
{
	return ps->cap > PS_IN ? ps->u.p : ps->u.in;
}

static void ports_init(struct portset *ps, const uint16_t *p, int n)
{
	uint16_t *q;
	int sorted = 1;

	ps->n = 0;
	ps->cap = n > PS_IN ? n : PS_IN;
	if (ps->cap > PS_IN)
		ps->u.p = xmalloc((size_t)ps->cap * sizeof *ps->u.p);
	q = ps_ports(ps);
	for (int k = 1; k < n; k++)
		sorted &= p[k - 1] < p[k];
	if (sorted) {                   /* (the agent's defaults) */
		if (n > 0)
			memcpy(q, p, (size_t)n * sizeof *p);
		ps->n = n;
		return;
	}
	for (int k = 0; k < n; k++) {           /* sorted insert, duplicates dropped */
		int j = ps->n;

		while (j > 0 && q[j - 1] > p[k])
			j--;
		if (j > 0 && q[j - 1] == p[k])
			continue;
		memmove(q + j + 1, q + j, (size_t)(ps->n - j) * sizeof *q);
		q[j] = p[k];
		ps->n++;
	}
}

static void ports_add(struct portset *ps, const uint16_t *p, int n)
{
	for (int k = 0; k < n; k++) {
		uint16_t *q;
		int j = ps->n;

		if (ps->n == ps->cap) {
			if (ps->cap == PS_IN) {         /* from the record to the heap */
				q = xmalloc(2 * PS_IN * sizeof *q);
				memcpy(q, ps->u.in, sizeof ps->u.in);
			} else {
				q = xrealloc(ps->u.p, (size_t)ps->cap * 2 * sizeof *q);
			}
			ps->u.p = q;
			ps->cap *= 2;
		}
		q = ps_ports(ps);
		while (j > 0 && q[j - 1] > p[k])
			j--;
		memmove(q + j + 1, q + j, (size_t)(ps->n - j) * sizeof *q);
		q[j] = p[k];
		ps->n++;
	}
}

static void ports_remove(struct portset *ps, const uint16_t *p, int n)
{
	uint16_t *q = ps_ports(ps);

	for (int k = 0; k < n; k++) {
		for (int j = 0; j < ps->n; j++) {
			if (q[j] == p[k]) {
				memmove(q + j, q + j + 1, (size_t)(ps->n - j - 1) * sizeof *q);
				ps->n--;
				break;
			}
		}
	}
}

/* Room for one more instance: the arrays double, the hot records' 64-byte
 * aligned so each record's first fields share a cache line (struct inst),
 * both by realloc (a large block grows in its pages: nothing copied). */
static void grow_insts(struct cluster *cl)
{
	size_t cap = cl->cap;

	xgrow_aligned(&cl->in_mem, (void **)&cl->in, &cap, cl->cap ? 2 * cl->cap : 16, sizeof *cl->in,
		      _Alignof(struct inst));
	for (int32_t k = 0; k < cl->n; k++)     /* groups held in the record moved with it */
		if (cl->in[k].cap_grp == IG_IN)
			cl->in[k].grp = cl->in[k].g_in;
	cl->info = xrealloc(cl->info, cap * sizeof *cl->info);
	cl->cap = cap;
}

int32_t cluster_add(struct cluster *cl, const struct instance_spec *sp)
{
	int32_t i = cl->n;
	struct inst *in;
	struct inst_info *ci;
	struct cl_reg *r = cl->reg;
	struct iattr stack[64], *at = stack;
	int n = 0, nrp;
	const uint16_t *rp;

	if ((size_t)i + 1 > cl->cap) {
		grow_insts(cl);
		cl_forest_grow(&cl->all_f, cl->cap);
		for (int a = 0; a < cl->n_sa; a++) {
			cl_forest_grow(&cl->sa[a].f, cl->cap);
			cl->sa[a].inst_part = xrealloc(cl->sa[a].inst_part,
						       cl->cap * sizeof *cl->sa[a].inst_part);
		}
	}
	in = &cl->in[i];
	ci = &cl->info[i];
	memset(in, 0, sizeof *in);
	memset(ci, 0, sizeof *ci);
	if (sp->id) {
		ci->id = xpool_strdup(&r->pool, sp->id);
	} else {
		char buf[32];

		snprintf(buf, sizeof buf, "ci-%d", (int)i);
		ci->id = xpool_strdup(&r->pool, buf);
	}
	ci->ec2_id = sp->ec2_instance_id ? xpool_strdup(&r->pool, sp->ec2_instance_id) : ci->id;
	if (sp->agent_version) {
		if (!r->version || strcmp(r->version, sp->agent_version) != 0)
			r->version = xpool_strdup(&r->pool, sp->agent_version);
		ci->agent_version = r->version;
	}
	ci->type = intern(cl, sp->instance_type ? sp->instance_type : "", 0);
	ci->az = intern(cl, sp->az ? sp->az : "", 1);
	ci->cpu_reg = sp->cpu_units;
	ci->mem_reg = sp->mem_mib;
	in->gpu_reg = sp->gpus;
	in->eni_cap = sp->eni_tasks;
	rp = cluster_reserved_ports(sp, 0, &nrp);
	ports_init(&ci->ports[0], rp, nrp);
	rp = cluster_reserved_ports(sp, 1, &nrp);
	ports_init(&ci->ports[1], rp, nrp);
	/* D1: built-ins from the fields (distinct names, their ids known since
	 * cluster_new), then the others; the strings interned in this order */
	if (6 + sp->n_attrs > 64)
		at = xmalloc((size_t)(6 + sp->n_attrs) * sizeof *at);
	if (sp->az)
		at[n++] = (struct iattr){ cl->a_az, ci->az };
	if (sp->instance_type)
		at[n++] = (struct iattr){ cl->a_type, ci->type };
	if (sp->os_type)
		n = add_attr(cl, at, n, cl->a_os_type, sp->os_type, 2);
	if (sp->os_family)
		n = add_attr(cl, at, n, cl->a_os_family, sp->os_family, 3);
	if (sp->cpu_arch)
		n = add_attr(cl, at, n, cl->a_arch, sp->cpu_arch, 4);
	if (sp->ami_id)
		n = add_attr(cl, at, n, cl->a_ami, sp->ami_id, 5);
	for (int k = 0; k < sp->n_attrs; k++)
		n = add_attr(cl, at, n, intern(cl, sp->attrs[k].name, 6 + 2 * k), sp->attrs[k].value, 7 + 2 * k);
	ci->attrs = attr_list(r, at, n);
	ci->n_attrs = n;
	if (at != stack)
		free(at);
	in->grp = in->g_in;
	in->cap_grp = IG_IN;
	in->status = INST_ACTIVE;
	in->agent = 1;
	ci->registered_at = sp->registered_at_ms;
	in->mem_rem = sp->mem_mib;
	in->cpu_rem = sp->cpu_units;
	cl->n++;
	XGROW(cl->live, cl->cap_live, (size_t)cl->n_live + 1);
	cl->live[cl->n_live++] = i;
	for (int a = 0; a < cl->n_sa; a++)
		cl->sa[a].inst_part[i] = cl_value_index(cl, &cl->sa[a], i);
	if (cl->n_sa > 0)
		in->part0 = cl->sa[0].inst_part[i];
	cl_index_insert(cl, i, 0);
	cl->tot.n_active++;
	cl->tot.n_registered++;
	cl->tot.cpu_registered += ci->cpu_reg;
	cl->tot.mem_registered += ci->mem_reg;
	return i;
}

int32_t cluster_count(const struct cluster *cl)
{
	return cl->n;
}

/* ---- groups ---- */

uint32_t cluster_group(struct cluster *cl, const char *name)
{
	return strtab_intern(cl->gnames, name);
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

/* Group count of g on instance i changes by d (±1 or -all); k is
 * grp_find(&cl->in[i], g), found by the caller. */
static inline __attribute__((always_inline)) void group_add(struct cluster *cl, int32_t i, uint32_t g, int32_t d,
							     int k)
{
	struct inst *in = &cl->in[i];

	if (cl->n_sa > 0)               /* (no call when no attribute is tracked) */
		cl_spread_counts_add(cl, i, g, d);
	if (k < 0) {
		if (in->n_grp == in->cap_grp) {
			in->cap_grp *= 2;
			if (in->grp == in->g_in) {
				in->grp = xmalloc((size_t)in->cap_grp * sizeof *in->grp);
				memcpy(in->grp, in->g_in, sizeof in->g_in);
			} else {
				in->grp = xrealloc(in->grp, (size_t)in->cap_grp * sizeof *in->grp);
			}
		}
		k = in->n_grp++;
		in->grp[k].g = g;
		in->grp[k].n = 0;
	}
	in->grp[k].n += d;
	if (in->grp[k].n == 0) {
		in->n_grp--;
		in->grp[k] = in->grp[in->n_grp];
	}
}

/* ---- reserve / release (docs/ecs-model.md §1.6; D9) ---- */

static inline __attribute__((always_inline)) void account(struct cluster *cl, int32_t i, const struct place_req *r,
							int sign)
{
	struct inst *in = &cl->in[i];
	int idx = cl_placeable(in);
	int on = counted(in->status);
	int64_t mem_before = in->mem_rem, cpu_before = in->cpu_rem;

	in->cpu_rem -= sign * r->cpu_units;
	in->mem_rem -= sign * r->mem_mib;
	if (idx)
		cl_index_move(cl, i, mem_before, cpu_before);
	if (r->n_ports_tcp | r->n_ports_udp) {         /* (most tasks have none) */
		struct portset *ps = cl->info[i].ports;

		if (sign > 0) {
			ports_add(&ps[0], r->ports_tcp, r->n_ports_tcp);
			ports_add(&ps[1], r->ports_udp, r->n_ports_udp);
		} else {
			ports_remove(&ps[0], r->ports_tcp, r->n_ports_tcp);
			ports_remove(&ps[1], r->ports_udp, r->n_ports_udp);
		}
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

/* The second line of instance i's hot fields (its groups, struct inst),
 * asked for with the first: the misses of a random instance overlap. */
static inline void prefetch_groups(const struct cluster *cl, int32_t i)
{
	__builtin_prefetch((const char *)&cl->in[i] + 64);
}

void cluster_prefetch(const struct cluster *cl, int32_t i)
{
	if (i >= 0 && i < cl->n) {
		__builtin_prefetch(&cl->in[i]);
		prefetch_groups(cl, i);
	}
}

void cluster_reserve(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g)
{
	prefetch_groups(cl, i);
	if (cl->in[i].status == INST_INACTIVE)
		return;
	account(cl, i, r, 1);
	group_add(cl, i, g, 1, grp_find(&cl->in[i], g));
}

static void hold_top_up(struct cluster *cl, int32_t i);

void cluster_release(struct cluster *cl, int32_t i, const struct place_req *r, uint32_t g)
{
	int k;

	prefetch_groups(cl, i);
	/* D9: a task not running there (never placed, stopped, or its instance
	 * INACTIVE, D7) changes nothing */
	if (cl->in[i].status == INST_INACTIVE || (k = grp_find(&cl->in[i], g)) < 0)
		return;
	account(cl, i, r, -1);
	group_add(cl, i, g, -1, k);
	/* the room freed goes to the holds waiting for it first
	 * (docs/ecs-model.md §4.10); no instance is short without a DAEMON */
	if (__builtin_expect(cl->n_short > 0, 0))
		hold_top_up(cl, i);
}

/* ---- holds: room kept for tasks to come (docs/ecs-model.md §4.10) ---- */

static int hold_short(const struct hold_set *h)
{
	return h && (h->have_cpu < h->want_cpu || h->have_mem < h->want_mem || h->have_eni < h->want_eni);
}

/* Instance i's held room changes by (cpu, mem, eni) for holder e: taken
 * off (or given back to) what placement sees, the indexes moved; the
 * totals' reserved amounts are the tasks' and do not change. */
static void hold_move(struct cluster *cl, int32_t i, struct hold_ent *e, int64_t cpu, int64_t mem, int eni)
{
	struct inst *in = &cl->in[i];
	struct hold_set *h = cl->info[i].hold;
	int64_t mem_before = in->mem_rem, cpu_before = in->cpu_rem;

	if (cpu == 0 && mem == 0 && eni == 0)
		return;
	in->cpu_rem -= cpu;
	in->mem_rem -= mem;
	if (cl_placeable(in))
		cl_index_move(cl, i, mem_before, cpu_before);
	in->eni_used += eni;
	h->have_cpu += cpu;
	h->have_mem += mem;
	h->have_eni += eni;
	e->have_cpu += cpu;
	e->have_mem += mem;
	e->have_eni += eni;
}

/* What one resource's hold takes now: up to what its holder wants, from
 * the room free (never below 0), or gives back what is held past it. */
static int64_t hold_step(int64_t want, int64_t have, int64_t free)
{
	int64_t d = want - have;

	if (d > 0)
		d = free <= 0 ? 0 : d < free ? d : free;
	return d;
}

/* The holds on i take what they lack of the room free (or give back what
 * they hold past their wants), each its own, in the order they were made:
 * the earliest hold lacking room gets the room free first (docs/ecs-model.md
 * §4.10, choice E146); `was`: whether i was counted short before the
 * caller's change (the count follows). */
static void hold_fill(struct cluster *cl, int32_t i, int was)
{
	struct inst *in = &cl->in[i];
	struct hold_set *h = cl->info[i].hold;

	for (int k = 0; h && k < h->n; k++) {
		struct hold_ent *e = &h->e[k];

		hold_move(cl, i, e, hold_step(e->cpu, e->have_cpu, in->cpu_rem),
			  hold_step(e->mem, e->have_mem, in->mem_rem),
			  (int)hold_step(e->eni, e->have_eni, in->eni_cap - in->eni_used));
	}
	cl->n_short += hold_short(h) - was;
}

static void __attribute__((noinline)) hold_top_up(struct cluster *cl, int32_t i)
{
	if (hold_short(cl->info[i].hold))
		hold_fill(cl, i, 1);
}

static struct hold_ent *hold_find(const struct hold_set *h, uint32_t g)
{
	for (int k = 0; h && k < h->n; k++)
		if (h->e[k].g == g)
			return &h->e[k];
	return NULL;
}

/* Every hold on i dropped, its room given back. */
static void hold_clear(struct cluster *cl, int32_t i)
{
	struct hold_set *h = cl->info[i].hold;

	if (!h)
		return;
	cl->n_short -= hold_short(h);
	for (int k = 0; k < h->n; k++)
		hold_move(cl, i, &h->e[k], -h->e[k].have_cpu, -h->e[k].have_mem, -h->e[k].have_eni);
	free(h->e);
	free(h);
	cl->info[i].hold = NULL;
	cl->n_holding--;
}

/* The room a cluster_hold_open gave back to its holder taken again (it is
 * still free: nothing was placed since), before any other hold fills. */
static void hold_close(struct cluster *cl, int32_t i)
{
	struct hold_set *h = cl->info[i].hold;
	struct hold_ent *e;

	if (!h || !h->open_n)
		return;
	h->open_n = 0;
	if ((e = hold_find(h, h->open_g)) != NULL)
		hold_move(cl, i, e, h->open_cpu, h->open_mem, h->open_eni);
}

void cluster_hold(struct cluster *cl, int32_t i, uint32_t g, const struct place_req *r)
{
	struct hold_set *h;
	struct hold_ent *e;
	int eni = r->eni ? 1 : 0, was;

	if (cl->in[i].status != INST_ACTIVE)
		return;
	h = cl->info[i].hold;
	was = hold_short(h);
	if (!h) {
		h = cl->info[i].hold = xcalloc(1, sizeof *h);
		cl->n_holding++;
	}
	e = hold_find(h, g);
	if (e && e->cpu == r->cpu_units && e->mem == r->mem_mib && e->eni == eni)
		return;
	if (!e) {
		XGROW(h->e, h->cap, (size_t)h->n + 1);
		e = &h->e[h->n++];
		*e = (struct hold_ent){ .g = g };
	}
	h->want_cpu += r->cpu_units - e->cpu;
	h->want_mem += r->mem_mib - e->mem;
	h->want_eni += eni - e->eni;
	e->cpu = r->cpu_units;
	e->mem = r->mem_mib;
	e->eni = eni;
	hold_fill(cl, i, was);
}

void cluster_unhold(struct cluster *cl, int32_t i, uint32_t g)
{
	struct hold_set *h = cl->info[i].hold;
	struct hold_ent *e;
	int was = hold_short(h);

	if (h && h->open_n && h->open_g == g)
		h->open_n = 0;            /* its room went to its task */
	else
		hold_close(cl, i);
	if (!(e = hold_find(h, g))) {
		hold_fill(cl, i, was);
		return;
	}
	if (h->n == 1) {
		hold_clear(cl, i);
		return;
	}
	hold_move(cl, i, e, -e->have_cpu, -e->have_mem, -e->have_eni);
	h->want_cpu -= e->cpu;
	h->want_mem -= e->mem;
	h->want_eni -= e->eni;
	/* the others keep their order (the earliest hold fills first) */
	memmove(e, e + 1, (size_t)(h->e + h->n - (e + 1)) * sizeof *e);
	h->n--;
	hold_fill(cl, i, was);
}

int cluster_holds(const struct cluster *cl, int32_t i, uint32_t g)
{
	return hold_find(cl->info[i].hold, g) != NULL;
}

void cluster_hold_open(struct cluster *cl, int32_t i, uint32_t g)
{
	struct hold_set *h = cl->info[i].hold;
	struct hold_ent *e = hold_find(h, g);

	if (!e)
		return;
	hold_close(cl, i);
	h->open_n = 1;
	h->open_g = g;
	h->open_cpu = e->have_cpu;
	h->open_mem = e->have_mem;
	h->open_eni = e->have_eni;
	cl->n_short -= hold_short(h);
	hold_move(cl, i, e, -e->have_cpu, -e->have_mem, -e->have_eni);
	cl->n_short += hold_short(h);
}

void cluster_hold_fill(struct cluster *cl, int32_t i)
{
	int was = hold_short(cl->info[i].hold);

	hold_close(cl, i);
	hold_fill(cl, i, was);
}

void cluster_hold_share(const struct cluster *cl, int32_t i, uint32_t g, int64_t *cpu, int64_t *mem, int *eni)
{
	const struct hold_ent *e = hold_find(cl->info[i].hold, g);

	*cpu = e ? e->have_cpu : 0;
	*mem = e ? e->have_mem : 0;
	*eni = e ? e->have_eni : 0;
}

void cluster_held(const struct cluster *cl, int32_t i, int64_t *cpu, int64_t *mem, int *eni)
{
	const struct hold_set *h = cl->info[i].hold;

	*cpu = h ? h->have_cpu : 0;
	*mem = h ? h->have_mem : 0;
	*eni = h ? h->have_eni : 0;
}

int32_t cluster_n_holding(const struct cluster *cl)
{
	return cl->n_holding;
}

/* ---- status (docs/ecs-model.md §2.3; D6–D8) ---- */

static void set_state(struct cluster *cl, int32_t i, enum inst_status st, int agent)
{
	struct inst *in = &cl->in[i];
	const struct inst_info *ci = &cl->info[i];
	int was_idx = cl_placeable(in), was_on = counted(in->status);
	int is_on = counted(st);

	if (was_idx)
		cl_index_erase(cl, i, 0);
	if (was_on && !is_on) {
		cl->tot.n_registered--;
		cl->tot.cpu_registered -= ci->cpu_reg;
		cl->tot.mem_registered -= ci->mem_reg;
		cl->tot.cpu_reserved -= ci->cpu_reg - in->cpu_rem;
		cl->tot.mem_reserved -= ci->mem_reg - in->mem_rem;
		if (in->tasks > 0)
			cl->tot.n_used--;
	} else if (!was_on && is_on) {
		cl->tot.n_registered++;
		cl->tot.cpu_registered += ci->cpu_reg;
		cl->tot.mem_registered += ci->mem_reg;
		cl->tot.cpu_reserved += ci->cpu_reg - in->cpu_rem;
		cl->tot.mem_reserved += ci->mem_reg - in->mem_rem;
		if (in->tasks > 0)
			cl->tot.n_used++;
	}
	cl->tot.n_active += (st == INST_ACTIVE) - (in->status == INST_ACTIVE);
	cl->n_draining += (st == INST_DRAINING) - (in->status == INST_DRAINING);
	in->status = st;
	in->agent = agent;
	if (st == INST_INACTIVE) {
		cl->live_gone++;           /* (cluster_live drops it) */
		/* D7: the instance's tasks stop counting anywhere */
		while (in->n_grp > 0)
			group_add(cl, i, in->grp[0].g, -in->grp[0].n, 0);
		cl->tot.tasks -= in->tasks;
		in->tasks = 0;
	}
	if (cl_placeable(in))
		cl_index_insert(cl, i, 0);
}

void cluster_set_status(struct cluster *cl, int32_t i, enum inst_status st)
{
	if (cl->in[i].status == INST_INACTIVE || cl->in[i].status == st)
		return;        /* D7: terminal */
	/* holds live only on an ACTIVE instance (docs/ecs-model.md §4.10) */
	hold_clear(cl, i);
	set_state(cl, i, st, cl->in[i].agent);
}

void cluster_set_agent_connected(struct cluster *cl, int32_t i, int connected)
{
	if (cl->in[i].agent == !!connected)
		return;
	set_state(cl, i, cl->in[i].status, !!connected);
}

/* ---- read access ---- */

const int32_t *cluster_live(struct cluster *cl, int32_t *n)
{
	if (cl->live_gone > 0) {
		int32_t m = 0;

		for (int32_t k = 0; k < cl->n_live; k++)
			if (cl->in[cl->live[k]].status != INST_INACTIVE)
				cl->live[m++] = cl->live[k];
		cl->n_live = m;
		cl->live_gone = 0;
	}
	*n = cl->n_live;
	return cl->live;
}

const char *cluster_id(const struct cluster *cl, int32_t i) { return cl->info[i].id; }
const char *cluster_ec2_id(const struct cluster *cl, int32_t i) { return cl->info[i].ec2_id; }
const char *cluster_agent_version(const struct cluster *cl, int32_t i) { return cl->info[i].agent_version; }
int64_t cluster_registered_at(const struct cluster *cl, int32_t i) { return cl->info[i].registered_at; }
const char *cluster_az(const struct cluster *cl, int32_t i) { return strtab_str(cl->str, cl->info[i].az); }
const char *cluster_type(const struct cluster *cl, int32_t i) { return strtab_str(cl->str, cl->info[i].type); }
enum inst_status cluster_status(const struct cluster *cl, int32_t i) { return cl->in[i].status; }
int32_t cluster_n_draining(const struct cluster *cl) { return cl->n_draining; }
int cluster_agent_connected(const struct cluster *cl, int32_t i) { return cl->in[i].agent; }
int64_t cluster_cpu_registered(const struct cluster *cl, int32_t i) { return cl->info[i].cpu_reg; }
int64_t cluster_mem_registered(const struct cluster *cl, int32_t i) { return cl->info[i].mem_reg; }
int64_t cluster_cpu_remaining(const struct cluster *cl, int32_t i) { return cl->in[i].cpu_rem; }
int64_t cluster_mem_remaining(const struct cluster *cl, int32_t i) { return cl->in[i].mem_rem; }
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
	const struct portset *ps = &cl->info[i].ports[udp ? 1 : 0];

	*ports = ps->cap > PS_IN ? ps->u.p : ps->u.in;
	return ps->n;
}

int cluster_task_groups(const struct cluster *cl, int32_t i, const char *const **groups)
{
	/* the names are built here, not kept in every reserve and release; a
	 * cache of the cluster's state, hence the cast */
	const struct inst *in = &cl->in[i];
	struct inst_info *ci = &((struct cluster *)(uintptr_t)cl)->info[i];

	if (ci->cap_names < in->n_grp) {
		ci->cap_names = in->n_grp;
		ci->grp_names = xrealloc(ci->grp_names, (size_t)ci->cap_names * sizeof *ci->grp_names);
	}
	for (int k = 0; k < in->n_grp; k++)
		ci->grp_names[k] = strtab_str(cl->gnames, in->grp[k].g);
	*groups = ci->grp_names;
	return in->n_grp;
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
	uint32_t v = name == STRTAB_NONE ? STRTAB_NONE : cl_attr_value(&cl->info[i], name, &present);

	if (name == STRTAB_NONE || !present)
		return 0;
	*value = v == STRTAB_NONE ? NULL : strtab_str(cl->str, v);
	return 1;
}

int cluster_attribute(const struct cluster *cl, int32_t i, const char *name, const char **value)
{
	/* the memo is a cache of the name table, hence the cast */
	uint32_t *hint = &((struct cluster *)(uintptr_t)cl)->attr_hint[((uintptr_t)name >> 4) & 3];

	return cluster_attribute_by_id(cl, i, strtab_find_hint(cl->str, name, hint), value);
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
