/* models/cluster_int.h — private to models/cluster.c and
 * models/cluster_index.c: the cluster's structures and the helpers the two
 * share.  Everyone else uses models/cluster.h (and, for placement,
 * models/cluster_idx.h).
 *
 * Invariant: an instance is in the placement indexes exactly when it is
 * placeable (status ACTIVE and agent connected), and every entry of a kept
 * order (the resource orders are kept from their first read on) is updated
 * inside reserve/release/status changes, never lazily: cluster.c
 * calls cl_index_erase before it changes an instance's status and
 * cl_index_insert after (cl_index_erase finds the instance's entries by its
 * current remaining resources); a reserve or release calls cl_index_move
 * after the change, with the amounts before it.  Choice ids (A9, D1, ...) in the
 * cluster*.c comments are those of the appendix "Choices" of
 * docs/ecs-model.md.
 */
#ifndef MODELS_CLUSTER_INT_H
#define MODELS_CLUSTER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "models/cluster.h"
#include "models/cluster_idx.h"

#define NIL (-1)
#define N_ORDERS 3

struct igrp {
	uint32_t g;
	int32_t n;                /* tasks of g on the instance (≥ 1) */
};

struct iattr {
	uint32_t name, value;     /* value STRTAB_NONE = present with no value */
};

/* An instance's reserved host ports of one protocol, sorted: up to PS_IN
 * held in the record itself (the agent's defaults: no allocation per
 * instance), more on the heap (cluster.c ps_ports). */
#define PS_IN 8
struct portset {
	union {
		uint16_t in[PS_IN];   /* cap == PS_IN */
		uint16_t *p;          /* cap > PS_IN */
	} u;
	int n, cap;
};

/* An instance's record is split in two arrays: struct inst, the fields
 * reserve, release, the filter and the indexes read, in two adjacent cache
 * lines (the array is allocated 64-byte aligned, cluster.c), and struct
 * inst_info, the rest (names, attributes, ports, registration).  The
 * remaining resources, counts, status and the pointer to the task groups
 * fill the first line, so a release whose groups are on the heap needs no
 * other line; the groups held inline, up to IG_IN, and the instance's
 * value index of the first tracked attribute (read by a move and the spread
 * counts instead of a random entry of inst_part), the second.  Kept apart
 * from the rest, the hot records of 10,000 instances (1.25 MiB) fit in a
 * core's second-level cache. */
#define IG_IN 7

struct inst {
	_Alignas(64) int64_t mem_rem;
	int64_t cpu_rem;          /* remaining memory (MiB), CPU (units) */
	int64_t gpu_used;
	struct igrp *grp;         /* g_in, or a heap array past IG_IN groups */
	int32_t tasks;
	int32_t n_grp;
	int eni_cap, eni_used;
	enum inst_status status;
	int agent;
	int64_t gpu_reg;
	int32_t cap_grp;          /* (second line) */
	struct igrp g_in[IG_IN];
	int32_t part0;            /* the value index of tracked attribute 0 (its inst_part[i]) */
};

/* the layout above, on 64-bit targets (where the line split is measured;
 * a 32-bit target only packs it differently) */
_Static_assert(sizeof(void *) != 8 || (offsetof(struct inst, cap_grp) == 64 && sizeof(struct inst) == 128 &&
					offsetof(struct inst, part0) == 124),
	       "struct inst: the first line, then the inline groups' line");

struct inst_info {
	const char *id, *ec2_id, *agent_version;   /* in the cluster's pool (cluster.c) */
	uint32_t type, az;        /* interned values */
	int64_t cpu_reg, mem_reg;
	struct portset ports[2];  /* [0] TCP, [1] UDP */
	const struct iattr *attrs; /* in the pool, shared by instances with the same list */
	int n_attrs;
	const char **grp_names;   /* the groups' names, for CQL task:group: built when read */
	int cap_names;
	int64_t registered_at;
	struct hold_set *hold;    /* room held for tasks to come (cluster_hold), NULL = none */
};

/* The room held on one instance for tasks not yet placed there (a DAEMON
 * service's, docs/ecs-model.md §4.10; cluster.h cluster_hold): what each
 * holder wants, their sum, and how much of the sum is held now (taken off
 * the instance's remaining CPU and memory and counted in its used ENIs; at
 * most what was free, the rest taken as room frees). */
struct hold_ent {
	uint32_t g;               /* the holder (its task group) */
	int64_t cpu, mem;         /* what it wants */
	int eni;
	int64_t have_cpu, have_mem;   /* what it holds now (its own room) */
	int have_eni;
};
struct hold_set {
	struct hold_ent *e;
	int n;
	size_t cap;
	int64_t want_cpu, want_mem, have_cpu, have_mem;
	int want_eni, have_eni;
	/* a holder's room given back for its own placement (cluster_hold_open) */
	int open_n, open_eni;
	uint32_t open_g;
	int64_t open_cpu, open_mem;
};

/* Each order of a part is a counted B+-tree whose nodes live in pools per
 * forest and order (cluster_index.c).  An entry's sort key is one integer,
 * key × 2^32 + instance (keys and numbers fit in 32 bits), so a search
 * compares plain integers and the instance is the key's low half.  A leaf
 * (struct bleaf) holds up to BT_L entries sorted by that key, with their
 * aux, in two arrays so a search and a shift touch few cache lines; an
 * internal node (struct bnode) holds per child its entry count, the max aux
 * below it and a separator (the smallest sort key it may hold; unused for
 * child 0).  A child reference with BT_LEAF set names a leaf.  Keys are the
 * remaining memory / CPU, or the number in CL_BY_NUM; aux is the other
 * resource. */
#define BT_M 64
#define BT_L 64
#define BT_LEAF 0x40000000
/* Slots past a leaf's BT_L that no entry ever holds: a shift inside the
 * leaf moves whole blocks of four and may write up to three slots past
 * slot 63 (cluster_index.c leaf_shift_up; tests/test_cluster.c "a leaf's
 * shifts" fails with two). */
#define BT_SLACK 3

struct bnode {
	int64_t sep[BT_M];        /* separator sort keys (INT64_MAX past n) */
	int32_t ch[BT_M];         /* child references */
	int32_t aux[BT_M];        /* max aux of the child (INT32_MIN past n) */
	int32_t cnt[BT_M];        /* the child's entry count */
	int32_t n;
};

struct bleaf {
	int64_t ck[BT_L + BT_SLACK];   /* sort keys: key × 2^32 + instance (INT64_MAX past n) */
	int32_t aux[BT_L + BT_SLACK];  /* (INT32_MIN past n) */
	int32_t n;
	union {                   /* (the leaf keeps its size) */
		int32_t mx;       /* in use: the max aux (INT32_MIN when empty) */
		int32_t next;     /* free: the free list link */
	};
	int32_t mxn;              /* in use: entries whose aux is mx */
};

struct bpool {
	struct bnode *nd;
	int32_t n, cap;
	int32_t free;             /* free list head + 1 (0 = empty), linked by ch[0] */
	struct bleaf *lf;
	int32_t ln, lcap;
	int32_t lfree;            /* free list head + 1 (0 = empty), linked by next */
};

/* The two resource orders of a forest are built on first use (a query
 * through cluster_idx.h) and kept current from then on: an order nobody
 * reads costs nothing in reserve/release.  CL_BY_NUM is always kept. */
struct forest {
	struct bpool t[N_ORDERS];
	int built[N_ORDERS];      /* CL_BY_MEM, CL_BY_CPU: kept current */
};

struct part {
	int32_t root[N_ORDERS];
	int32_t size;             /* members (entries of every kept order) */
	uint32_t value;           /* STRTAB_NONE = the "no value" value */
};

/* A group's task count per value of a tracked attribute, kept for every
 * group from the attribute's first use on (counted then from the
 * instances' groups, then in every reserve and release): no list of a
 * group's instances is kept. */
struct gcount {
	int64_t *c;               /* per value index; values past n count 0 */
	int32_t n;
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

struct cluster {
	struct inst *in;          /* 64-byte aligned, inside the block in_mem */
	void *in_mem;
	struct inst_info *info;   /* (the same index) */
	int32_t n;
	size_t cap;
	struct strtab *str, *gnames;
	struct cl_reg *reg;       /* cluster_add's memo and the instances' strings (cluster.c) */
	struct forest all_f;
	struct part all;
	int32_t *mv;              /* the kept resource orders (cl_index_move): forest a × 2 + order k */
	int n_mv;
	size_t cap_mv;
	struct sattr *sa;
	int n_sa;
	size_t cap_sa;
	struct cluster_totals tot;
	uint32_t a_az, a_type, a_os_type, a_os_family, a_arch, a_ami, a_task_eni;
	uint64_t serial;           /* cluster_serial */
	int32_t n_short;           /* instances holding less than their holders want */
	int32_t n_holding;         /* instances with a hold (cluster_n_holding) */
	int32_t n_draining;        /* instances DRAINING (cluster_n_draining) */
	/* the instances not INACTIVE, in registration order (cluster_live):
	 * appended as registered; those gone INACTIVE since (live_gone of
	 * them) are dropped at the next read */
	int32_t *live;
	size_t cap_live;
	int32_t n_live, live_gone;
	/* cluster_attribute's memo of the names it looked up, by the name's
	 * address (strtab_find_hint: a placement constraint's attribute
	 * is read on every candidate) */
	uint32_t attr_hint[4];
};

static inline int cl_placeable(const struct inst *in)
{
	return in->status == INST_ACTIVE && in->agent;
}

/* ---- cluster.c ---- */

/* Interned value of attribute `name` on the instance (STRTAB_NONE when it
 * has no value); *present tells whether it has the attribute at all. */
uint32_t cl_attr_value(const struct inst_info *in, uint32_t name, int *present);

/* ---- cluster_index.c ---- */

void cl_forest_grow(struct forest *f, size_t cap);
void cl_forest_free(struct forest *f);
/* Value index of instance i for tracked attribute s, created when new. */
int32_t cl_value_index(struct cluster *cl, struct sattr *s, int32_t i);
/* Add instance i to (remove it from) every part it belongs to, in every
 * order, or only the two resource orders when only_resources. */
void cl_index_insert(struct cluster *cl, int32_t i, int only_resources);
void cl_index_erase(struct cluster *cl, int32_t i, int only_resources);
/* Instance i's remaining memory and CPU changed from (mem_before,
 * cpu_before): its entries in the resource orders move (inside a leaf, or
 * to the new key's leaf without a second descent), O(log n) each. */
void cl_index_move(struct cluster *cl, int32_t i, int64_t mem_before, int64_t cpu_before);
void cl_count_grow(struct sattr *s, uint32_t g, int32_t v);

/* Attribute s's count of group g on instance i's value changes by d (the
 * arrays grown out of line, seldom).  Here so that a reserve or release
 * adds it inline. */
static inline void count_add_at(struct sattr *s, int32_t v, uint32_t g, int64_t d)
{
	if (g >= s->cap_gc || v >= s->gc[g].n)
		cl_count_grow(s, g, v);
	s->gc[g].c[v] += d;
}

static inline void count_add(struct sattr *s, int32_t i, uint32_t g, int64_t d)
{
	count_add_at(s, s->inst_part[i], g, d);
}

/* Tracked-attribute counts of group g change by d on instance i (the
 * first attribute's value index read from the instance's record, whose
 * line the caller has: no miss on inst_part). */
static inline void cl_spread_counts_add(struct cluster *cl, int32_t i, uint32_t g, int64_t d)
{
	count_add_at(&cl->sa[0], cl->in[i].part0, g, d);
	for (int a = 1; a < cl->n_sa; a++)
		count_add(&cl->sa[a], i, g, d);
}

#endif
