/* models/placement/placement_int.h — the placement strategy interface and the
 * shared steps the strategies are built from (internal to models/placement/).
 *
 * A placement finds, among the candidates (instances passing the filter and
 * the constraints, docs/ecs-model.md §4.2–§4.3), those with the lexicographically
 * smallest key vector (strategy 1, then 2, ...: docs/ecs-model.md §4.5 chaining), then breaks
 * the tie (docs/ecs-model.md choice A11).  Each strategy gives a key per instance (lower
 * is better) and a `search` hook that finds the best key of its position in
 * the chain over one *part* of the cluster (cluster_idx.h) using the
 * cluster's indexes, recursing into place_solve() for the strategies after
 * it.  A search ends by adding *ranges* to the tie set: runs of a part's
 * order that contain every tied candidate (and possibly others, which the
 * tie-break filters out by recomputing keys), or explicit lists.
 *
 * Invariant of place_solve(c, k, a, v): keys of strategies 0..k-1 are the
 * same for every member of part (a, v); c->keys[0..k-1] hold them.
 */
#ifndef MODELS_PLACEMENT_PLACEMENT_INT_H
#define MODELS_PLACEMENT_PLACEMENT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "models/cluster_idx.h"
#include "models/placement/placement.h"

struct pctx;

/* The filter's checks in the order of docs/ecs-model.md choice A1 (status ACTIVE is
 * implied); constraint k is stage ST_CONSTRAINTS + k.  A stage number is
 * also the number of checks passed. */
enum {
	ST_AGENT, ST_CPU, ST_MEMORY, ST_PORTS, ST_ENI, ST_LOCATION, ST_TASK_ENI, ST_GPU, ST_PLATFORM,
	ST_CONSTRAINTS
};

struct strategy_ops {
	enum place_strategy_type type;
	const char *name;          /* the AWS "type" */
	const char *fields;        /* valid fields, for messages ("" = none) */
	const char *summary;       /* one line for help texts */
	/* Parsing: check a field (NULL when absent).  Returns 0, or -1 with a
	 * lower-case message in msg. */
	int (*check_field)(const char *field, char *msg, size_t n);
	/* Once per placement, before any other hook: resolve the field into
	 * c->arg[k] (may track an attribute in the cluster). */
	void (*prepare)(struct pctx *c, int k);
	/* Key of instance i for strategy k; lower is better.  Must not change
	 * the cluster. */
	int64_t (*key)(struct pctx *c, int k, int32_t i);
	/* Best candidates of part (a, v) for strategies k..: on success set
	 * c->keys[k..], add their ranges to the tie set and return 1; return 0
	 * (tie set unchanged) when the part has no candidate. */
	int (*search)(struct pctx *c, int k, int a, int32_t v);
};

/* registry.c: the single list of strategies. */
const struct strategy_ops *place_strategy_by_name(const char *name);
const struct strategy_ops *place_strategy_of(enum place_strategy_type t);
/* "binpack, random, spread" into buf */
void place_strategy_names(char *buf, size_t n);

#define RANGE_RUN (-1)         /* trange.hi of a run whose end is not known yet */

struct trange {
	int a;
	int32_t v;
	int k;                     /* enum cl_key, or -1: ids[lo..hi) of the tie set */
	int32_t lo, hi;            /* hi may be RANGE_RUN: up to the end of the run
				    * of members whose order-k key is `run` */
	int64_t run;
	int key0;                  /* strategies before key0 have the keys c->keys
				    * on the whole range (the part's invariant):
				    * only the later ones are checked */
	int32_t first;             /* the member at lo of a run (and only of a
				    * run: its walk ends after key `run`), else -1 */
	struct cl_mark mark;       /* with first: where the index walk found it */
	unsigned live;             /* with first: c->live_gen while the search's
				    * cursor c->live still stands at first */
	int told;                  /* with first: hi was told by first's leaf (the
				    * run ends there: cluster_mark_run) */
};

/* Inline room of the tie set's buffers: most placements allocate nothing. */
#define PCTX_OWN_R 8
#define PCTX_OWN_IDS 16
#define PCTX_OWN_TMP 16

struct pctx {
	struct cluster *cl;
	const struct place_req *req;
	uint32_t g;
	const struct place_policy *pol;
	int n;                     /* strategies in the chain */
	const struct place_strategy *s[PLACE_MAX_STRATEGIES];
	const struct strategy_ops *ops[PLACE_MAX_STRATEGIES];
	int arg[PLACE_MAX_STRATEGIES];          /* prepared by each strategy */
	int64_t keys[PLACE_MAX_STRATEGIES];     /* best key vector */
	/* strategy bound_k's keys above `bound` are worth nothing to the
	 * search that set them (it holds a candidate with that key and the
	 * same keys before): a search may answer none instead (-1: no bound) */
	int bound_k;
	int64_t bound;
	struct cluster_filter_ids ids_attr;
	int n_checks;              /* stage number of a candidate */
	int plain;                 /* no check from the ports on can fail (no ports,
				    * ENI, GPUs, platform or constraints): an instance
				    * with room for the resources is a candidate */
	struct trange *r;          /* the tie set */
	size_t n_r, cap_r;
	int32_t *ids;              /* explicit members referenced by ranges */
	size_t n_ids, cap_ids;
	int32_t *tmp;              /* scratch */
	size_t cap_tmp;
	/* where r, ids and tmp start (PLACE_GROW moves them to the heap; not
	 * cleared by place_ctx_init) */
	struct trange own_r[PCTX_OWN_R];
	int32_t own_ids[PCTX_OWN_IDS];
	int32_t own_tmp[PCTX_OWN_TMP];
	/* binpack's walk (not cleared either): the tie-break walks a run on
	 * from where the search found its first member while it stands there
	 * (a trange's `live` is live_gen; each use of the cursor changes it) */
	unsigned live_gen;
	struct cl_cursor live;
};

/* Room for `need` elements in buffer `buf` (r, ids or tmp) of context c. */
#define PLACE_GROW(c, buf, need) \
	do { \
		if ((need) > (c)->cap_##buf) \
			place_grow((void **)&(c)->buf, &(c)->cap_##buf, (need), sizeof *(c)->buf, \
				   (c)->own_##buf); \
	} while (0)
void place_grow(void **arr, size_t *cap, size_t need, size_t elem, void *own);

/* placement.c: the context of one placement (chain, filter ids, strategies
 * prepared), as place_task builds it; place_ctx_free releases it. */
void place_ctx_init(struct pctx *c, struct cluster *cl, const struct place_req *req, uint32_t g,
		    const struct place_policy *p);
void place_ctx_free(struct pctx *c);
/* Checks passed by instance i in the order of docs/ecs-model.md choice A1 (constraints
 * last); c->n_checks when i is a candidate. */
int place_stage(const struct pctx *c, int32_t i);
int place_candidate(const struct pctx *c, int32_t i);
/* place_candidate for an instance of a part (placeable: ACTIVE, agent
 * connected) known to have the CPU and the memory the task needs (a walk of
 * a resource order found it with both): the checks from the ports on. */
int place_candidate_fits(const struct pctx *c, int32_t i);
/* The first of the policy's pins (its last n_pins constraints,
 * place_add_pin) that instance i fails, as a constraint index; -1 when it
 * passes them all (always without pins).  An instance failing one is not
 * considered (choice A4). */
int place_pin_failed(const struct pctx *c, int32_t i);
/* The failure reason of stage s (A2, docs/ecs-model.md §4.9): a static string. */
const char *place_stage_reason(const struct pctx *c, int s);
/* The tie-break over the tie set (docs/ecs-model.md choice A11). */
int32_t place_pick(struct pctx *c, gsl_rng *rng);
#define PLACE_ENUMERATE 8          /* tie sets this small are enumerated exactly */
struct sb_answer;
/* place_pick over the tie set of place_spread_binpack's answer a (policy
 * p's chain, p->fast) without a context, when that costs no walk: a
 * random tie-break over runs whose ends their leaves told, or of one
 * member, of at most PLACE_ENUMERATE entries in all (the same members,
 * order and draw as place_pick's); -1 (rng untouched) otherwise. */
int32_t place_pick_answer(const struct cluster *cl, const struct place_req *req, const struct place_policy *p,
			  const struct sb_answer *a, gsl_rng *rng);
/* Candidate whose keys are c->keys. */
int place_member(struct pctx *c, int32_t i);
/* Strategies k.. over part (a, v) (dispatches; the end of the chain keeps
 * every candidate). */
int place_solve(struct pctx *c, int k, int a, int32_t v);
/* Exact fallback: every member of part (a, v), strategies k.. by keys. */
int place_exact_part(struct pctx *c, int k, int a, int32_t v);
/* Exact narrowing of candidates cand[0..n) (sorted by number, already
 * filtered) by strategies k..; adds the tied ones as a list. */
int place_exact_list(struct pctx *c, int k, const int32_t *cand, size_t n);
/* Whether part range [lo, hi) of order k holds at least one place_member();
 * strategies before key0 are known to have the keys c->keys there. */
int place_range_has_member(struct pctx *c, int a, int32_t v, enum cl_key k, int32_t lo,
			   int32_t hi, int key0);
/* -1, 0, 1 as key vectors x[k..n) and y[k..n) compare. */
int place_cmp_keys(const struct pctx *c, int k, const int64_t *x, const int64_t *y);
void place_add_range(struct pctx *c, int a, int32_t v, int k, int32_t lo, int32_t hi);
/* The whole part (a, v) as a range, searched at strategy key0: by the
 * invariant of place_solve, keys before key0 are c->keys on all of it. */
void place_add_part(struct pctx *c, int a, int32_t v, int key0);
/* The run of members of part (a, v) whose order-k key is `key`, from rank lo
 * (member `first`, where the cursor marked by `mark` stands) on, all of
 * whose candidates have the keys c->keys (binpack's run); its end is hi
 * when its leaf told it (< 0: found only when a random pick needs the
 * run's length).  Inline: one per search of binpack as the last strategy. */
static inline void place_add_run(struct pctx *c, int a, int32_t v, enum cl_key k, int32_t lo,
				 int32_t first, int64_t key, int32_t hi, struct cl_mark mark)
{
	struct trange *r;

	PLACE_GROW(c, r, c->n_r + 1);
	r = &c->r[c->n_r++];
	r->a = a;
	r->v = v;
	r->k = (int)k;
	r->lo = lo;
	r->hi = hi < 0 ? RANGE_RUN : hi;
	r->run = key;
	r->key0 = c->n;
	r->first = first;
	r->mark = mark;
	r->live = c->live_gen;     /* binpack's cursor stands there */
	r->told = hi >= 0;
}

/* binpack.c: binpack's search as the last strategy k of the chain over
 * part (a, v), keys above lim worth nothing (none found then): on success
 * c->keys[k] set, the run added to the tie set, 1. */
int place_binpack_last(struct pctx *c, int k, int a, int32_t v, int64_t lim);

/* spread.c: the search of the chain spread on tracked attribute sa, then
 * binpack on order o (az-balanced-binpack), over the whole cluster for a
 * plain request (no check after the resources can fail), with no context:
 * the lowest level (count of group g) with a candidate, each of its values
 * probed once (cluster_spread_lower).  What place_solve(c, 0, CL_ALL, 0)
 * finds is the runs of the values whose bit is set in `tied`, in value
 * order, with the keys (level, best).  1 found, 0 none, -1 when the
 * attribute has more than PLACE_FEW_VALUES values (a untouched then). */
#define PLACE_FEW_VALUES 16
struct sb_answer {
	unsigned tied;             /* bit j: pr[j]'s run has the best key */
	int64_t level, best;       /* the keys */
	int32_t vals[PLACE_FEW_VALUES];         /* the level's values */
	struct cl_probe pr[PLACE_FEW_VALUES];   /* each one's probe */
};
int place_spread_binpack(struct cluster *cl, const struct place_req *req, uint32_t g, int sa,
			 enum cl_key o, struct sb_answer *a);
/* The tie set of answer a into context c (set up for the chain: c->arg[0]
 * the attribute, c->arg[1] the order, nothing in the tie set yet), as
 * place_solve(c, 0, CL_ALL, 0) leaves it. */
void place_spread_binpack_ties(struct pctx *c, const struct sb_answer *a);

extern const struct strategy_ops place_binpack;
extern const struct strategy_ops place_spread;
extern const struct strategy_ops place_random;

#endif
