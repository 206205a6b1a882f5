/* models/cluster_idx.h — the indexes the cluster keeps for placement
 * (internal: only models/placement/ and tests read it).
 *
 * A *part* is a set of placeable instances (status ACTIVE and agent
 * connected) held in three order-statistic trees: by (remaining memory,
 * number), by (remaining CPU, number) and by number alone (the two resource
 * orders are built when first read, then kept).  The part
 * CL_ALL holds every placeable instance; an attribute used by a spread
 * strategy is *tracked*: the cluster then keeps one part per value of that
 * attribute (instances lacking it, or holding it with no value, form one
 * more value, docs/ecs-model.md choice A10), and per task group the number of tasks on
 * all instances having each value (any status, docs/ecs-model.md choice A9).  A tracked
 * attribute is built on first use, O(n), then kept up to date in every
 * reserve/release/status change, O(log n) each.
 *
 * Parts are named by (a, v): a = CL_ALL (v ignored) or a tracked attribute
 * index from cluster_spread_attr(), v its value index.  Indexes, not
 * pointers, because tracking a new attribute may move the tables (a
 * cursor, below, is the one exception: it keeps its order's pool for the
 * length of a walk).
 */
#ifndef MODELS_CLUSTER_IDX_H
#define MODELS_CLUSTER_IDX_H

#include <stdint.h>

struct cluster;             /* models/cluster.h (not included: that would be a cycle) */

#define CL_ALL (-1)

enum cl_key { CL_BY_MEM, CL_BY_CPU, CL_BY_NUM };

/* Members of a part. O(1). */
int32_t cluster_part_size(const struct cluster *cl, int a, int32_t v);
/* The member of rank `rank` (0-based) in order k. O(log n). */
int32_t cluster_part_at(const struct cluster *cl, int a, int32_t v, enum cl_key k, int32_t rank);
/* Number of members ordered before (key, inst) in order k (key ignored for
 * CL_BY_NUM). O(log n). */
int32_t cluster_part_rank(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int64_t key, int32_t inst);

/* The smallest rank >= from whose member has at least other_min of the
 * other resource (CPU left in the memory order, memory left in the CPU
 * order), with *inst = that member; or the part's size and *inst = -1 when
 * none.  The trees keep subtree maxima, so whole subtrees lacking it are
 * skipped (O(log n) typical).  CL_BY_NUM ignores other_min. */
int32_t cluster_part_next(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int32_t from, int64_t other_min, int32_t *inst);

/* cluster_part_next from cluster_part_rank(key, 0) in one descent, for the
 * resource orders (CL_BY_MEM, CL_BY_CPU): the smallest rank whose member has
 * at least `key` of the order's resource and other_min of the other, *inst
 * = that member, and *end = the end of the run of members having the same
 * amount of the resource as it (cluster_part_rank(that amount + 1, 0),
 * often found in the same leaf); or the part's size in both and *inst =
 * -1.  O(log n) typical. */
int32_t cluster_part_lower_next(const struct cluster *cl, int a, int32_t v, enum cl_key k,
				int64_t key, int64_t other_min, int32_t *inst, int32_t *end);

/* Index of the tracked attribute `name` (tracked from now on). O(n + the
 * instances' task groups) the first time, then O(1) expected.  From then on
 * every task group that runs a task keeps a count per value of it, up to
 * the highest value index it touched (8 bytes each): memory grows with
 * groups × values for an attribute of many values. */
int cluster_spread_attr(struct cluster *cl, const char *name);
/* Number of values of tracked attribute a (the "no value" one included once
 * an instance lacks it).  (Placement reads cluster_spread_values; tests use
 * this.) */
int32_t cluster_spread_nvalues(const struct cluster *cl, int a);
/* The value index of `value` for tracked attribute a (NULL: the "no
 * value" value), -1 when no instance has had it.  O(1) expected. */
int32_t cluster_spread_value_find(const struct cluster *cl, int a, const char *value);
/* Value index of instance i for tracked attribute a. O(1). */
int32_t cluster_spread_value(const struct cluster *cl, int a, int32_t i);
/* Tasks of group g on every instance having value v of attribute a
 * (docs/ecs-model.md choice A9). O(1). */
int64_t cluster_spread_count(struct cluster *cl, int a, int32_t v, uint32_t g);
/* For every value v of tracked attribute a, when it has at most max of
 * them: size[v] = cluster_part_size(cl, a, v) and count[v] =
 * cluster_spread_count(cl, a, v, g), in one call.  Returns the number of
 * values (the arrays untouched when it is above max). */
int32_t cluster_spread_values(struct cluster *cl, int a, uint32_t g, int32_t max, int32_t *size,
			      int64_t *count);

/* The values v of tracked attribute a, when it has at most max of them,
 * whose part has members and whose count of group g is the lowest of
 * those above `above` (INT64_MIN: the lowest of all): into vals in value
 * order, *level = that count.  Returns how many (0: none above `above`),
 * or -1 (nothing written) when a has more than max values.  O(values). */
int32_t cluster_spread_level(struct cluster *cl, int a, uint32_t g, int64_t above, int32_t max,
			     int32_t *vals, int64_t *level);

/* Interned ids of the attributes the filter reads (D5, A15), O(1). */
struct cluster_filter_ids {
	uint32_t task_eni, os_family, cpu_arch;
};
void cluster_filter_ids(const struct cluster *cl, struct cluster_filter_ids *ids);

/* Interned attribute name (STRTAB_NONE when no instance ever had it), and
 * lookup by that id. */
uint32_t cluster_attr_id(const struct cluster *cl, const char *name);
int cluster_attribute_by_id(const struct cluster *cl, int32_t i, uint32_t name,
			    const char **value);

/* Index of the tracked attribute `name`, or -1 when it is not tracked yet:
 * a lookup by name that interns nothing (O(tracked attributes)). */
int cluster_spread_attr_find(const struct cluster *cl, const char *name);

/* cluster_part_lower_next without the run's end (which may cost one more
 * descent): the smallest rank whose member has at least `key` of the
 * order's resource and other_min of the other, *inst = that member; or the
 * part's size and *inst = -1.  O(log n) typical. */
int32_t cluster_part_lower_first(const struct cluster *cl, int a, int32_t v, enum cl_key k,
				 int64_t key, int64_t other_min, int32_t *inst);

/* Placement walks with the cursors below; cluster_part_next,
 * cluster_part_lower_next and cluster_part_lower_first are their one-shot
 * forms (a descent from the root per call), kept as the definition the
 * cursors are tested against (tests/test_cluster.c, tests/test_placement.c).
 *
 * A cursor over one order of a part: it walks the members in rank order,
 * skipping those short of the other resource (other_min; CL_BY_NUM: none)
 * through the subtree maxima, like cluster_part_next, but keeps its path
 * from the root, so a step costs O(1) amortized (the next slot of the same
 * leaf, or a climb to the nearest node with a later child that may hold one)
 * instead of a descent per position.  Valid while the part's trees do not
 * change and no attribute starts being tracked (a placement tracks its
 * attributes before its walks, which change nothing): the order's pool is
 * looked up once, its nodes at each step.  rank and inst are the current
 * position: the part's size and -1 past the end. */
#define CL_CURSOR_DEPTH 40
struct cl_cursor {
	const struct cluster *cl;
	const void *pool;          /* the order's node pool (struct bpool) */
	int a;
	int32_t v;
	int k;                     /* enum cl_key */
	int64_t min;               /* the other resource needed */
	int64_t stop;              /* the end: the first sort key past max_key */
	int32_t rank, inst;        /* the current member */
	int32_t leaf, pos, base;   /* its leaf, its slot there, the rank of slot 0 */
	int h;                     /* internal nodes above the leaf (-1: the
				    * path is not known, after a resume) */
	int32_t path[CL_CURSOR_DEPTH];
	int slot[CL_CURSOR_DEPTH];
};

/* Positions cur at cluster_part_next(cl, a, v, k, from, other_min) and
 * returns that rank (cur->inst its member; the part's size and -1 when
 * none).  With max_key < INT64_MAX (resource orders), members whose amount
 * of the order's resource is above max_key count as past the end, for this
 * and every later step: a walk over the run of one amount stops at the
 * run's end without looking at the members after it. */
int32_t cluster_cursor_from(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			    enum cl_key k, int32_t from, int64_t other_min, int64_t max_key);
/* Positions cur at cluster_part_lower_first(cl, a, v, k, key, other_min)
 * (resource orders only) and returns that rank. */
int32_t cluster_cursor_lower(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			     enum cl_key k, int64_t key, int64_t other_min);
/* cluster_cursor_lower, then (with a member) *amount = its amount of the
 * order's resource and *end = cluster_cursor_run_end(cur), read in the
 * leaf the descent found; *end = -1 without a member. */
int32_t cluster_cursor_lower_run(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
				 enum cl_key k, int64_t key, int64_t other_min, int64_t *amount, int32_t *end);
/* The next member after the current one with the other resource: as
 * cluster_part_next(from = cur->rank + 1).  Past the end it stays there. */
int32_t cluster_cursor_next(struct cl_cursor *cur);
/* From the next step on, members whose amount is above max_key count as
 * past the end, as with cluster_cursor_from's max_key (resource orders;
 * INT64_MAX leaves the bound as it was). */
void cluster_cursor_bound(struct cl_cursor *cur, int64_t max_key);

/* In a resource order, the end of the run of members having the current
 * member's amount (cluster_part_rank(that amount + 1, 0)) when its leaf
 * tells: the run ends before the leaf does, or with it when the leaf is
 * the tree's root or its parent's separator after it has a greater
 * amount (every later entry is not before a separator; not known after
 * cluster_cursor_resume until the walk leaves the marked leaf); else -1.
 * All of the run is then in that leaf.  O(1) when the entry after it has
 * another amount, else O(log leaf size). */
int32_t cluster_cursor_run_end(const struct cl_cursor *cur);

/* Where a cursor stands (its leaf, slot and the rank of slot 0), to walk on
 * from there later while the part's trees do not change. */
struct cl_mark {
	int32_t leaf, pos, base;
};
struct cl_mark cluster_cursor_mark(const struct cl_cursor *cur);
/* The n entries after the marked one in its leaf (a run of a resource
 * order whose end cluster_cursor_run_end told: the run's ranks after the
 * marked member, all in that leaf), while the part's trees do not change:
 * into out, in rank order, those with other_min of the other resource (as
 * a cursor's walk would stop at them).  Returns how many. O(n). */
int cluster_mark_run(const struct cluster *cl, int a, enum cl_key k, struct cl_mark m, int32_t n,
		     int64_t other_min, int32_t *out);
/* Positions cur at the member after the marked one, as cluster_cursor_next
 * would from there (with other_min and max_key as cluster_cursor_from):
 * from the marked leaf on, with a descent only when that leaf holds no
 * more. */
int32_t cluster_cursor_resume(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			      enum cl_key k, int64_t other_min, int64_t max_key, struct cl_mark m);

/* What cluster_cursor_lower_run finds (resource orders only), without a
 * cursor: inst (-1: none, rank = the part's size), its rank, its amount,
 * the run's end (-1 when the leaf does not tell: cluster_cursor_run_end),
 * the run's length len (end - rank; -1 when not told) and the mark of
 * where it stands (a walk on from it resumes there: cluster_cursor_resume,
 * cluster_mark_run).  Returns the rank. */
struct cl_probe {
	int32_t inst, rank, end, len;
	int64_t amount;
	struct cl_mark mark;
};
int32_t cluster_lower_probe(const struct cluster *cl, int a, int32_t v, enum cl_key k, int64_t key,
			    int64_t other_min, struct cl_probe *out);

/* The ranks of a probe of part (a, v), order k, that cluster_spread_lower
 * left unranked (rank, end and mark.base -1; a probe with no member or
 * already ranked is left as it is): the member's rank looked up (O(log n),
 * cluster_part_rank), then its run's end (when len tells it) and the
 * rank of the mark's slot 0.  Valid while the part's trees do not
 * change. */
void cluster_probe_rank(const struct cluster *cl, int a, int32_t v, enum cl_key k, struct cl_probe *pr);

/* cluster_spread_level and cluster_lower_probe in one call (the search of
 * a spread on tracked attribute a, then a lower bound in resource order
 * k): from the lowest count of group g up, the first level one of whose
 * values' parts has a member with at least `key` of the order's resource
 * and other_min of the other: its values into vals[0..n) (value order),
 * pr[j] value j's cluster_lower_probe, unranked (its member, amount, run
 * length and mark's leaf and slot; rank, end and mark.base -1:
 * cluster_probe_rank fills them when a caller needs them, which a pick
 * among told runs does not), *level its count, and in *tied the bits j
 * of the values whose member has the least amount.  Returns 1; 0 when no
 * level has such a member; -1 (nothing written) when a has more than max
 * values (max <= 32: larger counts as 32). */
int cluster_spread_lower(struct cluster *cl, int a, uint32_t g, enum cl_key k, int64_t key, int64_t other_min,
			 int32_t max, int32_t *vals, struct cl_probe *pr, unsigned *tied, int64_t *level);

/* Tests: 1 when every kept tree is sound: entries in order, within their
 * separators, each node's counts and max aux (and a leaf's count at its
 * max) exactly those below it, padding past the entries (sort keys
 * INT64_MAX, aux INT32_MIN); and every
 * instance's copy of its first tracked attribute's value index is that
 * index; and cluster_n_draining is the count of DRAINING instances.  O(n). */
int cluster_index_valid(const struct cluster *cl);

#endif
