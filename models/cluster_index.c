/* models/cluster_index.c — the indexes the cluster keeps for placement
 * (declared in cluster_idx.h): order-statistic trees over the placeable
 * instances, the tracked attributes and their per-group task counts
 * (choices A9, A10).  Kept current by cluster.c through cl_index_insert /
 * cl_index_erase (cluster_int.h).
 *
 * Each order of a part is a counted B+-tree: leaves (struct bleaf) of up to
 * BT_L entries sorted by (key, number), internal nodes (struct bnode) of up
 * to 64 children with per child its
 * entry count (order statistics) and the max of the other resource below it
 * (so a binpack walk skips children short of it).  Nodes live in a pool per
 * forest and order: one "forest" of three orders (remaining memory,
 * remaining CPU, number) for all placeable instances, and one per tracked
 * attribute whose trees (one per value) partition the placeable instances.
 * The tree's shape depends on the order of updates, but no query depends on
 * the shape: only on the set of entries.  The resource orders of a forest are
 * built when first read and kept from then on, so a reserve or release
 * updates only the orders some strategy reads.  Per tracked attribute the
 * cluster keeps every task group's task count per value (over all
 * instances, any status: A9), counted from the instances' groups when the
 * attribute is first tracked; no list of a group's instances is kept.  Costs:
 * insert/erase O(log n) per kept tree with a wide fan-out (height 3 at
 * 100,000 instances, a leaf's entries in a few cache lines); a reserve or
 * release moves an entry in one descent: inside its leaf when it still
 * belongs there (no count changes), else straight into the leaf of its new
 * key (counts change only below the node where the two paths part), and by
 * erase + insert only when that empties or splits a leaf; building an order
 * or tracking an attribute O(n log n) once.
 * Each part keeps its member count, so its size is O(1).
 */
#include "models/cluster_idx.h"
#include "models/cluster_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sim/mem.h"
#include "sim/strtab.h"

/* ---- counted B+-trees (struct bnode, struct bleaf: cluster_int.h) ---- */

#define IS_LEAF(r) (((r) & BT_LEAF) != 0)
#define LF(p, r) (&(p)->lf[(r) & ~BT_LEAF])

/* The key and the instance of a sort key (key × 2^32 + instance). */
#define CK_KEY(c) ((c) >> 32)
#define CK_ID(c) ((int32_t)((c) & 0xffffffff))

/* The sort key of entry (k, x).  The cluster's amounts (MiB, CPU units) and
 * instance numbers fit in 32 bits by far; one that does not would break the
 * order, so it stops the program. */
static int64_t bt_ck(int64_t k, int32_t x)
{
	if (k < INT32_MIN || k > INT32_MAX || x < 0) {
		fprintf(stderr, "ecsim: internal error: placement index key %lld of instance %ld "
			"out of the 32-bit range\n", (long long)k, (long)x);
		abort();
	}
	return (int64_t)((uint64_t)k << 32 | (uint32_t)x);
}

/* A query's sort key for (k, x): a key out of the entries' range becomes
 * one with the same rank (before or after every entry: the largest is
 * 0x7fffffff7fffffff; INT64_MAX - 1, not INT64_MAX, so that it is still
 * before the nodes' padding, below). */
static int64_t bt_qk(int64_t k, int32_t x)
{
	if (k > INT32_MAX)
		return INT64_MAX - 1;
	if (k < INT32_MIN)
		return INT64_MIN;
	return (int64_t)((uint64_t)k << 32 | (uint32_t)(x < 0 ? 0 : x));
}

/* An entry's aux (the other resource), checked like bt_ck. */
static int32_t bt_aux(int64_t v)
{
	if (v < INT32_MIN || v > INT32_MAX) {
		fprintf(stderr, "ecsim: internal error: placement index amount %lld out of the 32-bit range\n",
			(long long)v);
		abort();
	}
	return (int32_t)v;
}

/* Both kinds of node keep the sort keys past their entries at INT64_MAX (a
 * leaf's ck[n..BT_L + BT_SLACK), a node's sep[n..BT_M); every change that
 * shrinks a node or makes one writes them), so a search runs a fixed
 * number of halving steps over a power-of-two window (a node's: one of two
 * windows) without looking at n exactly: a sort key is never INT64_MAX
 * (bt_ck), so the padding is never before one. */
static inline void pad_keys(int64_t *a, int from, int to)
{
	for (int j = from; j < to; j++)
		a[j] = INT64_MAX;
}

/* Both kinds of node also keep the aux past their entries at INT32_MIN (a
 * leaf's aux[n..BT_L + BT_SLACK), a node's aux[n..BT_M): written with the
 * keys' padding), so a max reads whole blocks of eight without masking the
 * last (amax, leaf_remax). */
static inline void pad_aux(int32_t *a, int from, int to)
{
	for (int j = from; j < to; j++)
		a[j] = INT32_MIN;
}

/* A node's child count n. */
static inline void nset_n(struct bnode *b, int n)
{
	b->n = n;
}

static int32_t nalloc(struct bpool *p)
{
	int32_t x;

	if (p->free) {
		x = p->free - 1;
		p->free = p->nd[x].ch[0] + 1;
	} else {
		if (p->n == p->cap) {
			size_t cap = (size_t)p->cap;

			XGROW(p->nd, cap, (size_t)p->n + 1);
			p->cap = (int32_t)cap;
		}
		x = p->n++;
	}
	nset_n(&p->nd[x], 0);
	pad_keys(p->nd[x].sep, 0, BT_M);
	/* a node's maxima past n are read whole by amax and first_child_ge's
	 * mask: INT32_MIN (pad_aux) */
	pad_aux(p->nd[x].aux, 0, BT_M);
	return x;
}

static void nfree(struct bpool *p, int32_t x)
{
	p->nd[x].ch[0] = p->free - 1;
	p->free = x + 1;
}

/* A new empty leaf: its reference (BT_LEAF set). */
static int32_t lalloc(struct bpool *p)
{
	int32_t x;

	if (p->lfree) {
		x = p->lfree - 1;
		p->lfree = p->lf[x].next + 1;
	} else {
		if (p->ln == p->lcap) {
			size_t cap = (size_t)p->lcap;

			XGROW(p->lf, cap, (size_t)p->ln + 1);
			p->lcap = (int32_t)cap;
		}
		x = p->ln++;
	}
	p->lf[x].n = 0;
	pad_keys(p->lf[x].ck, 0, BT_L + BT_SLACK);
	pad_aux(p->lf[x].aux, 0, BT_L + BT_SLACK);
	p->lf[x].mx = INT32_MIN;
	p->lf[x].mxn = 0;
	return x | BT_LEAF;
}

static void lfree(struct bpool *p, int32_t r)
{
	int32_t x = r & ~BT_LEAF;

	p->lf[x].next = p->lfree - 1;
	p->lfree = x + 1;
}

static void rfree(struct bpool *p, int32_t r)
{
	if (IS_LEAF(r))
		lfree(p, r);
	else
		nfree(p, r);
}

/* One halving step of a branch-free search: pointer a moves on by s slots
 * when a[s-1] is before c (HALVE_LT) or not after it (HALVE_LE).  On
 * x86-64 a compare and a conditional move, three instructions with the
 * address of the move's target; GCC makes the plain C either a branch (an
 * unpredictable one) or a set, widen, shift and add per step.  Elsewhere
 * the plain C (also with ECSIM_PORTABLE defined: tests/scalar.sh builds the
 * suites that way). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(ECSIM_PORTABLE)
#define HALVE_CC(a, s, c, cc) do { \
		const int64_t *t_ = (a) + (s); \
		__asm__("cmpq %[k], %[m]\n\tcmov" cc " %[t], %[p]" \
			: [p] "+r"(a) : [m] "m"((a)[(s) - 1]), [k] "r"((int64_t)(c)), [t] "r"(t_) : "cc"); \
	} while (0)
#define HALVE_LT(a, s, c) HALVE_CC(a, s, c, "l")
#define HALVE_LE(a, s, c) HALVE_CC(a, s, c, "le")
#else
#define HALVE_LT(a, s, c) ((a) += ((a)[(s) - 1] < (c)) * (s))
#define HALVE_LE(a, s, c) ((a) += ((a)[(s) - 1] <= (c)) * (s))
#endif

/* Leaf: the first slot whose entry is not before sort key c.  Six halving
 * steps over the 64 slots (a leaf at rest holds at most 63, so slot 63,
 * never read, is padding): branch-free, one compare each. */
static inline int lfind(const struct bleaf *b, int64_t c)
{
	const int64_t *a = b->ck;

	_Static_assert(BT_L == 64, "lfind: six steps");
	HALVE_LT(a, 32, c);
	HALVE_LT(a, 16, c);
	HALVE_LT(a, 8, c);
	HALVE_LT(a, 4, c);
	HALVE_LT(a, 2, c);
	HALVE_LT(a, 1, c);
	return (int)(a - b->ck);
}

/* One halving step of width s of a node's search for c from e. */
#define CSTEP(e, c, s) HALVE_LE(e, s, c)

/* Internal: the child that holds sort key c: the number of separators
 * (slots 1..n-1) not after it.  Six halving steps over sep[1..64], or the
 * last three over sep[1..8] for a node of at most 8 children (the padding
 * past n is after every key).  A node's size varies with its level: a jump
 * to the steps its exact size needs (a switch on the step count, an
 * indirect jump) was mispredicted about once per node visited; this test
 * is a conditional branch the predictor learns per level (and a small
 * node's search stays in its first separators: no padding lines read). */
static inline int cfind(const struct bnode *b, int64_t c)
{
	const int64_t *e = b->sep + 1;

	_Static_assert(BT_M == 64, "cfind: six steps");
	if (b->n > 8) {
		CSTEP(e, c, 32);
		CSTEP(e, c, 16);
		CSTEP(e, c, 8);
	}
	CSTEP(e, c, 4);
	CSTEP(e, c, 2);
	CSTEP(e, c, 1);
	return (int)(e - (b->sep + 1));
}

/* cfind of two sort keys in one pass (the same steps over the same node). */
static inline void cfind2(const struct bnode *b, int64_t c1, int64_t c2, int *j1, int *j2)
{
	const int64_t *e = b->sep + 1, *f = e;

	if (b->n > 8) {
		CSTEP(e, c1, 32); CSTEP(f, c2, 32);
		CSTEP(e, c1, 16); CSTEP(f, c2, 16);
		CSTEP(e, c1, 8);  CSTEP(f, c2, 8);
	}
	CSTEP(e, c1, 4);  CSTEP(f, c2, 4);
	CSTEP(e, c1, 2);  CSTEP(f, c2, 2);
	CSTEP(e, c1, 1);  CSTEP(f, c2, 1);
	*j1 = (int)(e - (b->sep + 1));
	*j2 = (int)(f - (b->sep + 1));
}

typedef int32_t v4s32 __attribute__((vector_size(16)));    /* (GCC and Clang) */

/* The max of a node's aux[0..n), 1 <= n <= 64: eight slots a step in
 * vector compares (no branch per slot), two blocks of four in two lanes'
 * sets; the slots past n (up to the next multiple of eight: the 64-slot
 * array's end at most) hold INT32_MIN (struct bnode), which no max
 * changes. */
static int32_t amax(const int32_t *a, int n)
{
	v4s32 lo = { INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN }, m0 = lo, m1 = lo, v, w, g;

	_Static_assert(BT_M == 64, "amax: 64-slot arrays");
	for (int j = 0; j < n; j += 8) {
		memcpy(&v, a + j, sizeof v);
		memcpy(&w, a + j + 4, sizeof w);
		g = v > m0;
		m0 = (v & g) | (m0 & ~g);
		g = w > m1;
		m1 = (w & g) | (m1 & ~g);
	}
	g = m1 > m0;
	m0 = (m1 & g) | (m0 & ~g);
	{
		int32_t x = m0[0] > m0[1] ? m0[0] : m0[1], y = m0[2] > m0[3] ? m0[2] : m0[3];

		return x > y ? x : y;
	}
}

static int32_t ncount(const struct bnode *b)
{
	int32_t c = 0;

	for (int j = 0; j < b->n; j++)
		c += b->cnt[j];
	return c;
}

static int32_t rcount(const struct bpool *p, int32_t r)
{
	return IS_LEAF(r) ? LF(p, r)->n : ncount(&p->nd[r]);
}

static int32_t rmax(const struct bpool *p, int32_t r)
{
	return IS_LEAF(r) ? LF(p, r)->mx : amax(p->nd[r].aux, p->nd[r].n);
}

/* One block of leaf_remax: per lane the max so far m and how many of the
 * lane's slots hold it c (a greater aux restarts the count at one, an
 * equal one adds one). */
static inline void remax_step(v4s32 v, v4s32 *m, v4s32 *c)
{
	v4s32 g = v > *m, e = v == *m;

	*m = (v & g) | (*m & ~g);
	*c = (*c & ~g) - (g | e);
}

/* Leaf L's max aux and the number of its entries holding it, from scratch,
 * in one pass: eight slots a step, in two sets of four lanes, each lane its
 * max and its count at that max; then the lanes' max and the counts of the
 * lanes at it.  The slots past n up to the next multiple of eight (slot 63
 * at most: inside the array) hold INT32_MIN (struct bleaf): they change no
 * max, and are counted only in a lane whose max is INT32_MIN, which counts
 * only when the leaf's max is INT32_MIN: then every entry holds it. */
static void leaf_remax(struct bleaf *L)
{
	v4s32 lo = { INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN }, z = { 0, 0, 0, 0 }, m0 = lo, m1 = lo,
	      c0 = z, c1 = z, v;
	int n = L->n;

	for (int j = 0; j < n; j += 8) {
		memcpy(&v, L->aux + j, sizeof v);
		remax_step(v, &m0, &c0);
		memcpy(&v, L->aux + j + 4, sizeof v);
		remax_step(v, &m1, &c1);
	}
	{
		int32_t x = m0[0] > m0[1] ? m0[0] : m0[1], y = m0[2] > m0[3] ? m0[2] : m0[3];
		int32_t x1 = m1[0] > m1[1] ? m1[0] : m1[1], y1 = m1[2] > m1[3] ? m1[2] : m1[3], mx, k;
		v4s32 at0, at1;

		x = x > y ? x : y;
		x1 = x1 > y1 ? x1 : y1;
		mx = x > x1 ? x : x1;
		at0 = m0 == (v4s32){ mx, mx, mx, mx };
		at1 = m1 == (v4s32){ mx, mx, mx, mx };
		c0 = (c0 & at0) + (c1 & at1);
		k = c0[0] + c0[1] + c0[2] + c0[3];
		L->mx = mx;
		L->mxn = mx == INT32_MIN ? n : k;
	}
}

/* An entry of aux a joined (left) leaf L, whose arrays already say so. */
static inline void leaf_in(struct bleaf *L, int32_t a)
{
	int32_t mx = L->mx, k = L->mxn + (a == mx);

	L->mxn = a > mx ? 1 : k;
	L->mx = a > mx ? a : mx;
}

/* When the entry that left held the max, another at the max keeps it (the
 * leaf counts them), else a rescan. */
static inline void leaf_out(struct bleaf *L, int32_t a)
{
	int32_t k = L->mxn - (a == L->mx);

	L->mxn = k;
	if (k == 0)
		leaf_remax(L);
}

/* The smallest sort key node r may hold (its first entry, or for an
 * internal node the separator kept in slot 0 since its split). */
static int64_t rfirst(const struct bpool *p, int32_t r)
{
	return IS_LEAF(r) ? LF(p, r)->ck[0] : p->nd[r].sep[0];
}

typedef int64_t v2s64 __attribute__((vector_size(16)));    /* (GCC and Clang) */

/* Four slots of a leaf, keys and aux, in registers (three 16-byte loads). */
struct blk4 {
	v2s64 c0, c1;
	v4s32 a;
};

static inline struct blk4 blk_load(const struct bleaf *L, int j)
{
	struct blk4 b;

	memcpy(&b.c0, L->ck + j, sizeof b.c0);
	memcpy(&b.c1, L->ck + j + 2, sizeof b.c1);
	memcpy(&b.a, L->aux + j, sizeof b.a);
	return b;
}

static inline void blk_store(struct bleaf *L, int j, struct blk4 b)
{
	memcpy(L->ck + j, &b.c0, sizeof b.c0);
	memcpy(L->ck + j + 2, &b.c1, sizeof b.c1);
	memcpy(L->aux + j, &b.a, sizeof b.a);
}

/* Leaf L's slots [lo, hi) move up one, to [lo+1, hi+1) (0 <= lo <= hi <
 * BT_L), keys and aux together, in blocks of four from the top block down
 * (a block is loaded before the store of the block below it overwrites
 * its first slot), with no call and no size-class dispatch: glibc's
 * memmove, a call per array, spent a few hard-to-predict branches and an
 * indirect jump per call; here one loop exit per shift.  The blocks start
 * at lo, so the top one may also write slots hi+1..hi+3 (up to slot 66:
 * the leaf's BT_SLACK) with the slots below them: harmless past the
 * entries (padding onto padding; lalloc pads the slack too), else the
 * caller saves and restores them. */
static inline void leaf_shift_up(struct bleaf *L, int lo, int hi)
{
	for (int j = lo + ((hi - lo - 1) & ~3); j >= lo; j -= 4)
		blk_store(L, j + 1, blk_load(L, j));
}

/* Leaf L's slots [lo+1, hi+1) move down one, to [lo, hi) (0 <= lo <= hi <
 * BT_L - 1), as leaf_shift_up from the bottom block up: the top block may
 * also write slots hi..hi+2 with the slots above them (slot hi is the
 * caller's to set; past the entries, padding onto padding). */
static inline void leaf_shift_down(struct bleaf *L, int lo, int hi)
{
	for (int j = lo; j < hi; j += 4)
		blk_store(L, j, blk_load(L, j + 1));
}

/* Leaf L: entry (c, aux) in at slot pos, entry at slot pos out. */
static inline void leaf_put(struct bleaf *L, int pos, int64_t c, int32_t aux)
{
	leaf_shift_up(L, pos, L->n);
	L->ck[pos] = c;
	L->aux[pos] = aux;
	L->n++;
	leaf_in(L, aux);
}

static inline void leaf_del(struct bleaf *L, int pos)
{
	int32_t aux = L->aux[pos];

	L->n--;
	leaf_shift_down(L, pos, L->n);
	L->ck[L->n] = INT64_MAX;
	L->aux[L->n] = INT32_MIN;
	leaf_out(L, aux);
}

#define MAX_H 40

static void bt_insert(struct bpool *p, int32_t *root, int64_t c, int32_t aux)
{
	int32_t path[MAX_H], cur, rgt;
	int slot[MAX_H], h = 0;
	struct bleaf *L, *R;

	if (*root == NIL)
		*root = lalloc(p);
	cur = *root;
	while (!IS_LEAF(cur)) {
		struct bnode *b = &p->nd[cur];
		int j = cfind(b, c);

		b->cnt[j]++;
		if (aux > b->aux[j])
			b->aux[j] = aux;
		path[h] = cur;
		slot[h++] = j;
		cur = b->ch[j];
	}
	L = LF(p, cur);
	leaf_put(L, lfind(L, c), c, aux);
	if (L->n < BT_L)
		return;
	/* split the full leaf, then every full internal node above it */
	rgt = lalloc(p);
	L = LF(p, cur);
	R = LF(p, rgt);
	{
		int half = BT_L / 2, m = BT_L - half;

		memcpy(R->ck, L->ck + half, (size_t)m * sizeof *R->ck);
		memcpy(R->aux, L->aux + half, (size_t)m * sizeof *R->aux);
		R->n = m;
		L->n = half;
		pad_keys(L->ck, half, BT_L);     /* (R's were padded by lalloc) */
		pad_aux(L->aux, half, BT_L);
		leaf_remax(L);
		leaf_remax(R);
	}
	for (;;) {
		int32_t up;
		struct bnode *P;
		int j;

		if (h == 0) {                 /* a new root */
			up = nalloc(p);
			P = &p->nd[up];
			nset_n(P, 1);
			P->ch[0] = cur;
			*root = up;
			j = 0;
		} else {
			size_t r;

			up = path[--h];
			j = slot[h];
			P = &p->nd[up];
			r = (size_t)(P->n - j - 1);
			memmove(P->sep + j + 2, P->sep + j + 1, r * sizeof *P->sep);
			memmove(P->ch + j + 2, P->ch + j + 1, r * sizeof *P->ch);
			memmove(P->aux + j + 2, P->aux + j + 1, r * sizeof *P->aux);
			memmove(P->cnt + j + 2, P->cnt + j + 1, r * sizeof *P->cnt);
		}
		P->cnt[j] = rcount(p, cur);
		P->aux[j] = rmax(p, cur);
		P->ch[j + 1] = rgt;
		P->cnt[j + 1] = rcount(p, rgt);
		P->aux[j + 1] = rmax(p, rgt);
		P->sep[j + 1] = rfirst(p, rgt);
		nset_n(P, P->n + 1);
		cur = up;
		if (P->n < BT_M)
			return;
		{                             /* split the full internal node */
			struct bnode *A, *B;
			int half = BT_M / 2, m = BT_M - half;

			rgt = nalloc(p);
			A = &p->nd[cur];
			B = &p->nd[rgt];
			memcpy(B->sep, A->sep + half, (size_t)m * sizeof *B->sep);
			memcpy(B->ch, A->ch + half, (size_t)m * sizeof *B->ch);
			memcpy(B->aux, A->aux + half, (size_t)m * sizeof *B->aux);
			memcpy(B->cnt, A->cnt + half, (size_t)m * sizeof *B->cnt);
			nset_n(B, m);
			nset_n(A, half);
			pad_keys(A->sep, half, BT_M);    /* (B's were padded by nalloc) */
			pad_aux(A->aux, half, BT_M);
		}
	}
}

/* The path from the root down to the leaf entry c: path[0..h) the internal
 * nodes, slot[] the child taken in each, *leaf and the position in it.
 * Aborts when the entry is not there (the cluster's invariant broke). */
static int bt_find(const struct bpool *p, int32_t root, int64_t c, int32_t *path, int *slot, int *h,
		   int32_t *leaf)
{
	const struct bleaf *L;
	int pos;

	*h = 0;
	if (root == NIL)
		abort();
	while (!IS_LEAF(root)) {
		const struct bnode *b = &p->nd[root];

		path[*h] = root;
		slot[*h] = cfind(b, c);
		root = b->ch[slot[(*h)++]];
	}
	L = LF(p, root);
	pos = lfind(L, c);
	if (pos == L->n || L->ck[pos] != c)
		abort();
	*leaf = root;
	return pos;
}

/* Erase the entry at position pos of leaf cur, reached by path/slot. */
static void bt_erase_at(struct bpool *p, int32_t *root, const int32_t *path, const int *slot, int h,
			int32_t cur, int pos)
{
	int32_t aux;
	int empty;
	struct bleaf *L = LF(p, cur);

	aux = L->aux[pos];
	leaf_del(L, pos);
	empty = L->n == 0;
	while (h > 0) {
		int32_t up = path[--h];
		int j = slot[h];
		struct bnode *P = &p->nd[up];

		P->cnt[j]--;
		if (!empty && (P->aux[j] > aux || rmax(p, cur) == P->aux[j])) {
			/* the max below is unchanged: only the counts above change */
			while (h > 0) {
				up = path[--h];
				p->nd[up].cnt[slot[h]]--;
			}
			break;
		}
		if (empty) {                  /* drop the empty child */
			size_t r = (size_t)(P->n - j - 1);

			rfree(p, cur);
			memmove(P->sep + j, P->sep + j + 1, r * sizeof *P->sep);
			memmove(P->ch + j, P->ch + j + 1, r * sizeof *P->ch);
			memmove(P->aux + j, P->aux + j + 1, r * sizeof *P->aux);
			memmove(P->cnt + j, P->cnt + j + 1, r * sizeof *P->cnt);
			nset_n(P, P->n - 1);
			P->sep[P->n] = INT64_MAX;
			P->aux[P->n] = INT32_MIN;
		} else {
			P->aux[j] = rmax(p, cur);
		}
		empty = P->n == 0;
		cur = up;
	}
	if (IS_LEAF(*root)) {
		if (LF(p, *root)->n == 0) {
			lfree(p, *root);
			*root = NIL;
		}
		return;
	}
	if (p->nd[*root].n == 0) {
		nfree(p, *root);
		*root = NIL;
		return;
	}
	while (!IS_LEAF(*root) && p->nd[*root].n == 1) {   /* a root with one child */
		int32_t old = *root;

		*root = p->nd[old].ch[0];
		nfree(p, old);
	}
}

static void bt_erase(struct bpool *p, int32_t *root, int64_t c)
{
	int32_t path[MAX_H], cur;
	int slot[MAX_H], h, pos;

	if (*root == NIL)
		return;
	pos = bt_find(p, *root, c, path, slot, &h, &cur);
	bt_erase_at(p, root, path, slot, h, cur, pos);
}

/* After an entry of aux oaux left node cur (the child slot[h-1] of
 * path[h-1]) or a node below it, and one of aux naux came in, for l = h-1
 * down to 0: the maxima above, up to the first that does not change (a
 * rescan only when the max may have dropped). */
static inline void fix_max(struct bpool *p, const int32_t *path, const int *slot, int h, int32_t cur,
			   int32_t oaux, int32_t naux)
{
	while (h > 0) {
		struct bnode *P = &p->nd[path[--h]];
		int j = slot[h];
		int32_t old = P->aux[j], m = old;

		if (naux > old)
			m = naux;
		else if (oaux == old && naux < oaux)
			m = rmax(p, cur);
		if (m == old)
			break;
		P->aux[j] = m;
		cur = path[h];
	}
}

/* bt_move's entry oc of leaf L (cur, at the end of path/slot of height h)
 * goes to leaf N as nc (both leaves searched first: two independent
 * searches, whose loads overlap): 1 when it left L and joined N (the caller then
 * updates the counts and maxima above), 0 when that would empty L or
 * overfill N and it was erased and inserted again instead (all done). */
static inline __attribute__((always_inline)) int leaf_transfer(struct bpool *p, int32_t *root, const int32_t *path,
							 const int *slot, int h, int32_t cur, struct bleaf *L,
							 struct bleaf *N, int64_t oc, int64_t nc, int32_t naux)
{
	int pos = lfind(L, oc), npos = lfind(N, nc);   /* (two independent searches) */

	if (pos == L->n || L->ck[pos] != oc)
		abort();
	if (L->n == 1 || N->n >= BT_L - 1) {
		bt_erase_at(p, root, path, slot, h, cur, pos);
		bt_insert(p, root, nc, naux);
		return 0;
	}
	leaf_del(L, pos);
	leaf_put(N, npos, nc, naux);
	return 1;
}

/* A node's separators, a leaf's sort keys: every line of the array asked
 * for at once (straight-line prefetches), so that a descent's binary
 * searches wait for one round of misses, not for one per halving step
 * (the child or aux lines each search leads to are one more miss, or
 * independent ones: not asked for). */
#define PF_LINES4(a, o) (__builtin_prefetch((const char *)(a) + (o)), \
			 __builtin_prefetch((const char *)(a) + (o) + 64), \
			 __builtin_prefetch((const char *)(a) + (o) + 128), \
			 __builtin_prefetch((const char *)(a) + (o) + 192))
#define PF_KEYS(a) (PF_LINES4(a, 0), PF_LINES4(a, 256), __builtin_prefetch((const char *)(a) + 511))
_Static_assert(sizeof(((struct bnode *)0)->sep) == 512 && sizeof(((struct bleaf *)0)->ck) >= 512,
	       "PF_KEYS: the 512 bytes of a node's or a leaf's 64 sort keys");

/* bt_move's rare case: the paths of oc and nc part at node path[h-1] (oc
 * in its child slot[h-1], nc in child jn) and one of the two children is
 * an internal node: both descents go on from there, then the entry leaves
 * its leaf and joins the other (the counts and maxima change along both
 * paths below the parting, only the maxima above it), or is erased and
 * inserted again when that empties or splits a leaf. */
static __attribute__((noinline)) void bt_move_far(struct bpool *p, int32_t *root, int32_t *path, int *slot,
						  int h, int jn, int64_t oc, int64_t nc, int32_t oaux,
						  int32_t naux)
{
	int32_t npath[MAX_H], cur, ncur;
	int nslot[MAX_H], d = h - 1;
	struct bleaf *L, *N;

	npath[d] = path[d];
	nslot[d] = jn;
	cur = p->nd[path[d]].ch[slot[d]];
	ncur = p->nd[path[d]].ch[jn];
	/* both internal nodes (the leaves are all at one depth): the two
	 * descents in step, the key lines of each level's two nodes (and
	 * then of the two leaves) asked for before either is searched */
	do {
		const struct bnode *b = &p->nd[cur], *nb = &p->nd[ncur];
		int jo, jn2;

		PF_KEYS(b->sep);
		PF_KEYS(nb->sep);
		jo = cfind(b, oc);
		jn2 = cfind(nb, nc);
		path[h] = cur;
		slot[h] = jo;
		npath[h] = ncur;
		nslot[h++] = jn2;
		cur = b->ch[jo];
		ncur = nb->ch[jn2];
	} while (!IS_LEAF(cur));
	L = LF(p, cur);
	N = LF(p, ncur);
	PF_KEYS(L->ck);
	PF_KEYS(N->ck);
	if (!leaf_transfer(p, root, path, slot, h, cur, L, N, oc, nc, naux))
		return;
	/* below d: counts and maxima */
	for (int l = h - 1, drop = 1; l >= d; l--) {
		struct bnode *P = &p->nd[path[l]], *Q = &p->nd[npath[l]];

		P->cnt[slot[l]]--;
		if (drop && P->aux[slot[l]] == oaux) {     /* the child's max may have dropped */
			int32_t m = rmax(p, l == h - 1 ? cur : path[l + 1]);

			drop = m != oaux;
			P->aux[slot[l]] = m;
		} else {
			drop = 0;                          /* no max changes above on this path */
		}
		Q->cnt[nslot[l]]++;
		if (naux > Q->aux[nslot[l]])
			Q->aux[nslot[l]] = naux;
	}
	fix_max(p, path, slot, d, path[d], oaux, naux);   /* above d: the maxima */
}

/* Entry oc of aux oaux becomes nc (the same instance, a new key) with aux
 * naux (the caller knows oaux: no wait for the old leaf's aux line).  One
 * descent finds it, searching each node for both keys until they part.
 * When they never part the entry moves inside its leaf (no count changes,
 * only the maxima above).  When they part at a node whose two children are
 * leaves (nearly every cross-leaf move) the entry leaves one and joins the
 * other: that node's counts and maxima change, only the maxima above it;
 * a move that would empty or split a leaf is an erase from the path found
 * and an insert.  Parting higher up: bt_move_far.  Inlined into its one
 * caller (cl_index_move): a reserve or release is one move.  As in
 * bt_move_far, every node below the root (mostly hot) and each leaf has
 * its key lines asked for as soon as its reference is known (PF_KEYS), the
 * two leaves of a transfer together and searched before either changes
 * (leaf_transfer): their misses overlap instead of one per halving step,
 * one leaf after the other (issue 15: at 1,000 and 10,000 instances the
 * bench's reserve and release took 10-25 % less). */
static inline __attribute__((always_inline)) void bt_move(struct bpool *p, int32_t *root, int64_t oc, int64_t nc,
							 int32_t oaux, int32_t naux)
{
	int32_t path[MAX_H], cur, ncur;
	int slot[MAX_H], h = 0, jo, jn, pos;
	struct bnode *P;
	struct bleaf *L, *N;

	cur = *root;
	if (cur == NIL)
		abort();
	/* The root's search apart from the loop's (the same steps, its own
	 * copy of cfind2's size test): a root mostly has few children and
	 * the nodes below many, so one shared test flipped at every level
	 * (cachegrind: mispredicted once a move) while each copy sees one
	 * size. */
	if (!IS_LEAF(cur)) {
		P = &p->nd[cur];
		cfind2(P, oc, nc, &jo, &jn);
		path[h] = cur;
		slot[h++] = jo;
		if (jo != jn)
			goto parted;
		cur = P->ch[jo];
	}
	for (;;) {
		if (IS_LEAF(cur)) {                    /* within the leaf */
			int b;

			L = LF(p, cur);
			PF_KEYS(L->ck);
			pos = lfind(L, oc);
			if (pos == L->n || L->ck[pos] != oc)
				abort();
			b = nc == oc ? pos : lfind(L, nc) - (oc < nc);   /* the others before it */
			{                       /* (the entries past the shift kept: leaf_shift_up) */
				struct blk4 keep = blk_load(L, (b > pos ? b : pos) + 1);

				if (b >= pos)
					leaf_shift_down(L, pos, b);
				else
					leaf_shift_up(L, b, pos);
				blk_store(L, (b > pos ? b : pos) + 1, keep);
			}
			L->ck[b] = nc;
			L->aux[b] = naux;
			leaf_in(L, naux);
			leaf_out(L, oaux);
			fix_max(p, path, slot, h, cur, oaux, naux);
			return;
		}
		P = &p->nd[cur];
		PF_KEYS(P->sep);
		cfind2(P, oc, nc, &jo, &jn);
		path[h] = cur;
		slot[h++] = jo;
		if (jo != jn)
			break;
		cur = P->ch[jo];
	}
parted:
	cur = P->ch[jo];
	ncur = P->ch[jn];
	if (!IS_LEAF(cur) || !IS_LEAF(ncur)) {
		bt_move_far(p, root, path, slot, h, jn, oc, nc, oaux, naux);
		return;
	}
	/* sibling leaves under P */
	L = LF(p, cur);
	N = LF(p, ncur);
	PF_KEYS(L->ck);
	PF_KEYS(N->ck);
	if (!leaf_transfer(p, root, path, slot, h, cur, L, N, oc, nc, naux))
		return;
	P->cnt[jo]--;
	{
		int32_t ao = P->aux[jo], an = P->aux[jn];

		P->aux[jo] = ao == oaux ? L->mx : ao;     /* the old leaf's max may have dropped */
		P->cnt[jn]++;
		P->aux[jn] = naux > an ? naux : an;
	}
	fix_max(p, path, slot, h - 1, path[h - 1], oaux, naux);
}

static int32_t bt_at(const struct bpool *p, int32_t root, int32_t rank)
{
	if (root == NIL || rank < 0)
		return NIL;
	while (!IS_LEAF(root)) {
		const struct bnode *b = &p->nd[root];
		int j = 0;

		while (j < b->n && rank >= b->cnt[j])
			rank -= b->cnt[j++];
		if (j == b->n)
			return NIL;
		root = b->ch[j];
	}
	return rank < LF(p, root)->n ? CK_ID(LF(p, root)->ck[rank]) : NIL;
}

/* Number of entries before sort key c. */
static int32_t bt_rank(const struct bpool *p, int32_t root, int64_t c)
{
	int32_t r = 0;

	if (root == NIL)
		return 0;
	while (!IS_LEAF(root)) {
		const struct bnode *b = &p->nd[root];
		int j = cfind(b, c);

		for (int t = 0; t < j; t++)
			r += b->cnt[t];
		root = b->ch[j];
	}
	return r + lfind(LF(p, root), c);
}

/* Smallest rank >= from (ranks offset by base) whose entry has aux >= min,
 * or -1; *inst = that entry.  Children whose max is below min are skipped. */
static int32_t bt_next(const struct bpool *p, int32_t x, int32_t base, int32_t from, int64_t min,
		       int32_t *inst)
{
	const struct bnode *b;

	if (IS_LEAF(x)) {
		const struct bleaf *L = LF(p, x);

		for (int i = from > base ? from - base : 0; i < L->n; i++) {
			if (L->aux[i] >= min) {
				*inst = CK_ID(L->ck[i]);
				return base + i;
			}
		}
		return -1;
	}
	b = &p->nd[x];
	for (int j = 0; j < b->n; j++) {
		int32_t c = b->cnt[j];

		if (base + c > from && b->aux[j] >= min) {
			int32_t r = bt_next(p, b->ch[j], base, from, min, inst);

			if (r >= 0)
				return r;
		}
		base += c;
	}
	return -1;
}

/* Smallest rank whose entry is not before sort key c and has aux >= min, or
 * -1; *inst = that entry: bt_rank and bt_next in one descent (the children
 * after the one holding c are all not before it).  When that entry's leaf
 * also holds a later entry of a greater key, *end = the rank of the first
 * such (the end of the run of its key); else *end is left alone. */
static int32_t bt_lower_next(const struct bpool *p, int32_t r, int32_t base, int64_t c, int64_t min,
			     int32_t *inst, int32_t *end)
{
	const struct bnode *b;
	int j;

	if (IS_LEAF(r)) {
		const struct bleaf *L = LF(p, r);

		for (int i = lfind(L, c); i < L->n; i++) {
			if (L->aux[i] >= min) {
				int e = i + 1;

				while (e < L->n && CK_KEY(L->ck[e]) == CK_KEY(L->ck[i]))
					e++;
				if (e < L->n)
					*end = base + e;
				*inst = CK_ID(L->ck[i]);
				return base + i;
			}
		}
		return -1;
	}
	b = &p->nd[r];
	j = cfind(b, c);
	for (int t = 0; t < j; t++)
		base += b->cnt[t];
	if (b->aux[j] >= min) {
		int32_t q = bt_lower_next(p, b->ch[j], base, c, min, inst, end);

		if (q >= 0)
			return q;
	}
	base += b->cnt[j];
	for (j++; j < b->n; j++) {
		if (b->aux[j] >= min)
			return bt_next(p, b->ch[j], base, base, min, inst);
		base += b->cnt[j];
	}
	return -1;
}

void cl_forest_grow(struct forest *f, size_t cap)
{
	(void)f;                /* the pools grow by themselves */
	(void)cap;
}

void cl_forest_free(struct forest *f)
{
	for (int k = 0; k < N_ORDERS; k++) {
		free(f->t[k].nd);
		free(f->t[k].lf);
	}
}

static inline int64_t key_of(const struct cluster *cl, int k, int32_t i)
{
	return k == CL_BY_MEM ? cl->in[i].mem_rem : k == CL_BY_CPU ? cl->in[i].cpu_rem : i;
}

/* Memory order carries the CPU left as aux and CPU order the memory left,
 * so a walk skips whole subtrees that lack the other resource. */
static void part_insert(const struct cluster *cl, struct forest *f, struct part *p, int k,
			int32_t i)
{
	int64_t aux = k == CL_BY_MEM ? cl->in[i].cpu_rem : k == CL_BY_CPU ? cl->in[i].mem_rem : 0;

	bt_insert(&f->t[k], &p->root[k], bt_ck(key_of(cl, k, i), i), bt_aux(aux));
	if (k == CL_BY_NUM)
		p->size++;
}

/* Called before the instance's resources change: its key is still current. */
static void part_erase(const struct cluster *cl, struct forest *f, struct part *p, int k,
		       int32_t i)
{
	bt_erase(&f->t[k], &p->root[k], bt_ck(key_of(cl, k, i), i));
	if (k == CL_BY_NUM)
		p->size--;
}

/* ---- tracked attributes ---- */

/* Value index of instance i for tracked attribute s, created when new. */
int32_t cl_value_index(struct cluster *cl, struct sattr *s, int32_t i)
{
	int present;
	uint32_t v = cl_attr_value(&cl->info[i], s->name, &present);
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
		p->size = 0;
		p->value = v;
		*slot = s->n_parts++;
	}
	return *slot;
}

static inline int kept(const struct forest *f, int k)
{
	return k == CL_BY_NUM || f->built[k];
}

void cl_index_insert(struct cluster *cl, int32_t i, int only_resources)
{
	for (int k = 0; k < N_ORDERS; k++) {
		if (only_resources && k == CL_BY_NUM)
			continue;
		if (kept(&cl->all_f, k))
			part_insert(cl, &cl->all_f, &cl->all, k, i);
		for (int a = 0; a < cl->n_sa; a++) {
			struct sattr *s = &cl->sa[a];

			if (kept(&s->f, k))
				part_insert(cl, &s->f, &s->parts[s->inst_part[i]], k, i);
		}
	}
}

/* Instance i's entry in kept resource order x (an entry of cl->mv: forest
 * a (CL_ALL = -1, or a tracked attribute) × 2 + order k) moves. */
static inline __attribute__((always_inline)) void move_order(struct cluster *cl, int32_t i, int32_t x,
							    int64_t mem_before, int64_t cpu_before)
{
	const struct inst *in = &cl->in[i];
	int64_t mem = in->mem_rem, cpu = in->cpu_rem;
	int32_t a = (x >> 1) - 1;
	int k = x & 1;
	struct forest *f;
	int32_t *root;
	/* memory order: aux the CPU left; CPU order: aux the memory
	 * left (the old entry's key and aux were checked as it went in) */
	int64_t key = k ? cpu : mem, okey = k ? cpu_before : mem_before;
	int64_t aux = k ? mem : cpu, oaux = k ? mem_before : cpu_before;

	_Static_assert(CL_BY_MEM == 0 && CL_BY_CPU == 1, "cl->mv: the order in bit 0");
	if (a == CL_ALL) {
		f = &cl->all_f;
		root = &cl->all.root[k];
	} else {
		f = &cl->sa[a].f;
		root = &cl->sa[a].parts[a == 0 ? in->part0 : cl->sa[a].inst_part[i]].root[k];
	}
	bt_move(&f->t[k], root, (int64_t)((uint64_t)okey << 32 | (uint32_t)i), bt_ck(key, i),
		(int32_t)oaux, bt_aux(aux));
}

/* cl_index_move's orders past the first. */
static __attribute__((noinline)) void move_orders_after_first(struct cluster *cl, int32_t i, int64_t mem_before,
							    int64_t cpu_before)
{
	for (int t = 1; t < cl->n_mv; t++)
		move_order(cl, i, cl->mv[t], mem_before, cpu_before);
}

/* Instance i's entries in the kept resource orders move: those cl->mv
 * lists (ensure adds one as it builds it), each with a bt_move inlined.
 * Mostly one order is kept (a placement strategy's binpack field): its
 * move comes last, inline, with nothing to keep across it (a loop around
 * the inlined move kept its state on the stack, a dozen loads and stores
 * a move); the others, if any, first, out of line.  The orders are
 * separate trees: their order of update does not matter. */
void cl_index_move(struct cluster *cl, int32_t i, int64_t mem_before, int64_t cpu_before)
{
	if (cl->n_mv > 1)
		move_orders_after_first(cl, i, mem_before, cpu_before);
	if (cl->n_mv > 0)
		move_order(cl, i, cl->mv[0], mem_before, cpu_before);
}

void cl_index_erase(struct cluster *cl, int32_t i, int only_resources)
{
	for (int k = 0; k < N_ORDERS; k++) {
		if (only_resources && k == CL_BY_NUM)
			continue;
		if (kept(&cl->all_f, k))
			part_erase(cl, &cl->all_f, &cl->all, k, i);
		for (int a = 0; a < cl->n_sa; a++) {
			struct sattr *s = &cl->sa[a];

			if (kept(&s->f, k))
				part_erase(cl, &s->f, &s->parts[s->inst_part[i]], k, i);
		}
	}
}

/* Order k of forest a (every part of it) from now on: built from the
 * placeable instances the first time it is read, O(n log n) once.  The
 * trees are a cache of the cluster's state, hence the cast. */
static void ensure(const struct cluster *ccl, int a, int k)
{
	struct cluster *cl = (struct cluster *)(uintptr_t)ccl;
	struct forest *f = a == CL_ALL ? &cl->all_f : &cl->sa[a].f;

	if (kept(f, k))
		return;
	f->built[k] = 1;
	if (k != CL_BY_NUM) {
		XGROW(cl->mv, cl->cap_mv, (size_t)cl->n_mv + 1);
		cl->mv[cl->n_mv++] = (a + 1) * 2 + k;
	}
	for (int32_t i = 0; i < cl->n; i++) {
		if (!cl_placeable(&cl->in[i]))
			continue;
		if (a == CL_ALL)
			part_insert(cl, f, &cl->all, k, i);
		else
			part_insert(cl, f, &cl->sa[a].parts[cl->sa[a].inst_part[i]], k, i);
	}
}

/* count_add's growth (cluster_int.h): group g's or value v's slot past
 * attribute s's arrays. */
void cl_count_grow(struct sattr *s, uint32_t g, int32_t v)
{
	struct gcount *c;

	if (g >= s->cap_gc) {
		size_t old = s->cap_gc;

		XGROW(s->gc, s->cap_gc, (size_t)g + 1);
		memset(s->gc + old, 0, (s->cap_gc - old) * sizeof *s->gc);
	}
	c = &s->gc[g];
	if (v >= c->n) {
		size_t cap = (size_t)c->n;

		XGROW(c->c, cap, (size_t)v + 1);   /* (reads past n count 0) */
		memset(c->c + c->n, 0, (cap - (size_t)c->n) * sizeof *c->c);
		c->n = (int32_t)cap;
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

/* The subtree at r holds only sort keys in [lo, hi), in order, and says
 * exactly what is below it: a leaf's size (1..BT_L - 1), max aux and the
 * count of entries at it; a node's per child count, max aux and separator;
 * the padding past each one's entries.  *cnt, *mx: its count and max. */
static int tree_valid(const struct bpool *p, int32_t r, int64_t lo, int64_t hi, int32_t *cnt, int32_t *mx)
{
	int ok = 1;

	if (IS_LEAF(r)) {
		const struct bleaf *L = LF(p, r);
		int32_t m = INT32_MIN, k = 0;

		if (L->n < 1 || L->n >= BT_L)
			return 0;
		for (int j = 0; j < L->n; j++) {
			ok &= L->ck[j] >= lo && L->ck[j] < hi && (j == 0 || L->ck[j - 1] < L->ck[j]);
			if (L->aux[j] > m) {
				m = L->aux[j];
				k = 0;
			}
			k += L->aux[j] == m;
		}
		for (int j = L->n; j < BT_L + BT_SLACK; j++)
			ok &= L->ck[j] == INT64_MAX && L->aux[j] == INT32_MIN;
		*cnt = L->n;
		*mx = m;
		return ok && L->mx == m && L->mxn == k;
	}
	{
		const struct bnode *b = &p->nd[r];

		if (b->n < 1 || b->n >= BT_M)
			return 0;
		*cnt = 0;
		*mx = INT32_MIN;
		for (int j = 0; j < b->n && ok; j++) {
			int64_t clo = j == 0 ? lo : b->sep[j], chi = j + 1 < b->n ? b->sep[j + 1] : hi;
			int32_t c = 0, m = INT32_MIN;

			ok &= clo >= lo && chi <= hi && tree_valid(p, b->ch[j], clo, chi, &c, &m) &&
			      b->cnt[j] == c && b->aux[j] == m;
			*cnt += c;
			*mx = m > *mx ? m : *mx;
		}
		for (int j = b->n; j < BT_M; j++)
			ok &= b->sep[j] == INT64_MAX && b->aux[j] == INT32_MIN;
		return ok;
	}
}

static int part_valid(const struct forest *f, const struct part *pt)
{
	int ok = 1;

	for (int k = 0; k < N_ORDERS; k++) {
		int32_t c = 0, m;

		if (!kept(f, k))
			continue;
		ok &= pt->root[k] == NIL || tree_valid(&f->t[k], pt->root[k], INT64_MIN, INT64_MAX, &c, &m);
		ok &= c == pt->size;
	}
	return ok;
}

int cluster_index_valid(const struct cluster *cl)
{
	int ok = part_valid(&cl->all_f, &cl->all);
	int32_t draining = 0;

	for (int a = 0; a < cl->n_sa; a++)
		for (int32_t v = 0; v < cl->sa[a].n_parts; v++)
			ok &= part_valid(&cl->sa[a].f, &cl->sa[a].parts[v]);
	for (int32_t i = 0; i < cl->n && cl->n_sa > 0; i++)    /* (struct inst part0) */
		ok &= cl->in[i].part0 == cl->sa[0].inst_part[i];
	for (int32_t i = 0; i < cl->n; i++)                   /* (cluster_n_draining) */
		draining += cl->in[i].status == INST_DRAINING;
	return ok && draining == cl->n_draining;
}

int32_t cluster_part_size(const struct cluster *cl, int a, int32_t v)
{
	return part_of(cl, a, v)->size;
}

int32_t cluster_part_at(const struct cluster *cl, int a, int32_t v, enum cl_key k, int32_t rank)
{
	ensure(cl, a, k);
	return bt_at(&forest_of(cl, a)->t[k], part_of(cl, a, v)->root[k], rank);
}

int32_t cluster_part_rank(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int64_t key, int32_t inst)
{
	ensure(cl, a, k);
	return bt_rank(&forest_of(cl, a)->t[k], part_of(cl, a, v)->root[k],
		       bt_qk(k == CL_BY_NUM ? inst : key, inst));
}

int32_t cluster_part_next(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			  int32_t from, int64_t other_min, int32_t *inst)
{
	const struct bpool *p;
	int32_t root, r;

	ensure(cl, a, k);
	p = &forest_of(cl, a)->t[k];
	root = part_of(cl, a, v)->root[k];

	*inst = NIL;
	if (root == NIL)
		r = -1;
	else if (k == CL_BY_NUM)
		r = from;
	else
		r = bt_next(p, root, 0, from, other_min, inst);
	if (k == CL_BY_NUM && r >= 0)
		*inst = bt_at(p, root, from);
	if (r < 0 || *inst == NIL) {
		*inst = -1;
		return part_of(cl, a, v)->size;
	}
	return r;
}

/* The first member not before (key, 0) with other_min of the other resource:
 * its rank (or -1, *inst = -1) and, in *e, the end of its run when found in
 * its leaf (else -1). */
static int32_t lower_descent(const struct cluster *cl, int a, int32_t v, enum cl_key k,
			     int64_t key, int64_t other_min, int32_t *inst, int32_t *e)
{
	const struct bpool *p;
	int32_t root, r;

	ensure(cl, a, k);
	p = &forest_of(cl, a)->t[k];
	root = part_of(cl, a, v)->root[k];
	*inst = -1;
	*e = -1;
	r = root == NIL ? -1 : bt_lower_next(p, root, 0, bt_qk(key, 0), other_min, inst, e);
	if (r < 0)
		*inst = -1;
	return r;
}

int32_t cluster_part_lower_next(const struct cluster *cl, int a, int32_t v, enum cl_key k,
				int64_t key, int64_t other_min, int32_t *inst, int32_t *end)
{
	int32_t e, r = lower_descent(cl, a, v, k, key, other_min, inst, &e);

	if (r < 0) {
		*end = part_of(cl, a, v)->size;
		return *end;
	}
	/* the run's end: found in the leaf, or one more descent */
	*end = e >= 0 ? e
		      : bt_rank(&forest_of(cl, a)->t[k], part_of(cl, a, v)->root[k],
				bt_qk(key_of(cl, k, *inst) + 1, 0));
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
		const struct inst *in = &cl->in[i];

		s->inst_part[i] = cl_value_index(cl, s, i);
		if (cl->n_sa == 0)            /* (struct inst part0) */
			cl->in[i].part0 = s->inst_part[i];
		if (cl_placeable(in))
			part_insert(cl, &s->f, &s->parts[s->inst_part[i]], CL_BY_NUM, i);
		for (int k = 0; k < in->n_grp; k++)    /* every group counted (struct gcount) */
			count_add(s, i, in->grp[k].g, in->grp[k].n);
	}
	return cl->n_sa++;
}

int cluster_az_has_placeable(struct cluster *cl, const char *az)
{
	int a = cluster_spread_attr(cl, "ecs.availability-zone");
	int32_t v = cluster_spread_value_find(cl, a, az);

	return v >= 0 && cluster_part_size(cl, a, v) > 0;
}

int32_t cluster_spread_nvalues(const struct cluster *cl, int a)
{
	return cl->sa[a].n_parts;
}

int32_t cluster_spread_value_find(const struct cluster *cl, int a, const char *value)
{
	const struct sattr *s = &cl->sa[a];
	uint32_t id;

	if (!value)
		return s->none_part;
	id = strtab_find(cl->str, value);
	if (id == STRTAB_NONE || id >= s->cap_pov)
		return -1;
	return s->part_of_value[id];
}

int32_t cluster_spread_value(const struct cluster *cl, int a, int32_t i)
{
	return cl->sa[a].inst_part[i];
}

/* Group g's task counts per value of attribute a; NULL for a group no task
 * of which has run on a counted instance since a was first tracked (all
 * counts 0). */
static const struct gcount *spread_counts(const struct cluster *cl, int a, uint32_t g)
{
	const struct sattr *s = &cl->sa[a];

	return g < s->cap_gc ? &s->gc[g] : NULL;
}

int64_t cluster_spread_count(struct cluster *cl, int a, int32_t v, uint32_t g)
{
	const struct gcount *c = spread_counts(cl, a, g);

	return c && v < c->n ? c->c[v] : 0;
}

int32_t cluster_spread_values(struct cluster *cl, int a, uint32_t g, int32_t max, int32_t *size,
			      int64_t *count)
{
	const struct sattr *s = &cl->sa[a];
	const struct gcount *c;
	int32_t n = s->n_parts;

	if (n > max)
		return n;
	c = spread_counts(cl, a, g);
	for (int32_t v = 0; v < n; v++) {
		size[v] = s->parts[v].size;
		count[v] = c && v < c->n ? c->c[v] : 0;
	}
	return n;
}

/* cluster_spread_level's steps for one value, without a branch: its count
 * x when it counts (a part with members, x above `above`), else INT64_MAX
 * (level_count); then a count below *low becomes *low and the list starts
 * again: got 0 (level_lower).  And cluster_spread_lower's step for a value
 * whose probe found `amount` (INT64_MAX: none), its bit `bit`: an amount
 * below *least restarts the tied bits at `bit`, an equal one adds it,
 * *least keeps the lowest (least_step: the values of a level take turns
 * winning; branches were mispredicted on one value in three).  On x86-64
 * conditional moves (GCC made branches of the plain C, or long mask
 * arithmetic); elsewhere, and with ECSIM_PORTABLE, the plain C. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(ECSIM_PORTABLE)
static inline int64_t level_count(int64_t x, int64_t above, int32_t size)
{
	int64_t y = INT64_MAX, mx = INT64_MAX;

	__asm__("cmpq %[ab], %[x]\n\tcmovgq %[x], %[y]\n\ttestl %[sz], %[sz]\n\tcmovleq %[mx], %[y]"
		: [y] "+&r"(y) : [x] "r"(x), [ab] "r"(above), [sz] "r"(size), [mx] "r"(mx) : "cc");
	return y;
}

static inline long level_lower(int64_t y, int64_t *low, long got)
{
	int64_t l = *low;
	long zero = 0;

	__asm__("cmpq %[l], %[y]\n\tcmovlq %[y], %[l]\n\tcmovlq %[z], %[g]"
		: [l] "+&r"(l), [g] "+&r"(got) : [y] "r"(y), [z] "r"(zero) : "cc");
	*low = l;
	return got;
}

static inline void least_step(int64_t amount, unsigned bit, int64_t *least, unsigned *tied)
{
	unsigned add = 0, zero = 0;
	int64_t b = *least;
	unsigned t = *tied;

	__asm__("cmpq %[b], %[k]\n\t"
		"cmovlel %[bit], %[add]\n\t"
		"cmovll %[zero], %[t]\n\t"
		"cmovlq %[k], %[b]"
		: [b] "+&r"(b), [t] "+&r"(t), [add] "+&r"(add)
		: [k] "r"(amount), [bit] "r"(bit), [zero] "r"(zero)
		: "cc");
	*least = b;
	*tied = t | add;
}
#else
static inline int64_t level_count(int64_t x, int64_t above, int32_t size)
{
	return size > 0 && x > above ? x : INT64_MAX;
}

static inline long level_lower(int64_t y, int64_t *low, long got)
{
	if (y < *low) {
		*low = y;
		got = 0;
	}
	return got;
}

static inline void least_step(int64_t amount, unsigned bit, int64_t *least, unsigned *tied)
{
	*tied = (amount < *least ? 0 : *tied) | (amount <= *least ? bit : 0);
	*least = amount < *least ? amount : *least;
}
#endif

/* One value v of cluster_spread_level with count y (level_count): the
 * list's length after it (kept values in vals[0..)). */
static inline long level_add(int32_t *vals, long kept, long v, int64_t y, int64_t *low)
{
	kept = level_lower(y, low, kept);
	vals[kept] = (int32_t)v;        /* (kept <= v < n <= max) */
	return kept + (y == *low);
}

/* cluster_spread_level over attribute s with group counts c (NULL: all 0). */
static inline __attribute__((always_inline)) int32_t spread_level(const struct sattr *s, const struct gcount *c,
								  int64_t above, int32_t max, int32_t *vals,
								  int64_t *level)
{
	const struct part *parts = s->parts;
	const int64_t *cc;
	int32_t n = s->n_parts, nc;
	long kept = 0, v;
	int64_t low;

	if (n > max)
		return -1;
	nc = c ? c->n : 0;              /* (counts past it are 0) */
	cc = c ? c->c : NULL;
	/* No branch per value (the AZs take turns having the lowest count:
	 * the tests of a value were mispredicted 1.3 times a call):
	 * a value that does not count (no members, or a count not above
	 * `above`) reads as INT64_MAX, which no level equals (low starts one
	 * below it); a lower count starts the list again; the value is
	 * written at the list's end and kept when its count is the level. */
	low = INT64_MAX - 1;
	for (v = 0; v < (nc < n ? nc : n); v++)
		kept = level_add(vals, kept, v, level_count(cc[v], above, parts[v].size), &low);
	for (; v < n; v++)              /* (values without a count yet: 0) */
		kept = level_add(vals, kept, v, level_count(0, above, parts[v].size), &low);
	*level = low;
	return (int32_t)kept;
}

int32_t cluster_spread_level(struct cluster *cl, int a, uint32_t g, int64_t above, int32_t max,
			     int32_t *vals, int64_t *level)
{
	return spread_level(&cl->sa[a], spread_counts(cl, a, g), above, max, vals, level);
}

int cluster_spread_attr_find(const struct cluster *cl, const char *name)
{
	for (int a = 0; a < cl->n_sa; a++)
		if (strcmp(strtab_str(cl->str, cl->sa[a].name), name) == 0)
			return a;
	return -1;
}

int32_t cluster_part_lower_first(const struct cluster *cl, int a, int32_t v, enum cl_key k,
				 int64_t key, int64_t other_min, int32_t *inst)
{
	int32_t e, r = lower_descent(cl, a, v, k, key, other_min, inst, &e);

	return r < 0 ? part_of(cl, a, v)->size : r;
}

/* ---- cursors (cluster_idx.h) ---- */

static const struct forest *forest_of(const struct cluster *cl, int a);

/* The order's pool as looked up at the cursor's start (cluster_idx.h: valid
 * while no attribute starts being tracked); the sanitizer build
 * (ECSIM_CHECKS, make asan) checks that contract at every step. */
static const struct bpool *cursor_pool(const struct cl_cursor *cur)
{
#ifdef ECSIM_CHECKS
	if (cur->pool != &forest_of(cur->cl, cur->a)->t[cur->k]) {
		fprintf(stderr, "ecsim: fatal: internal: a cursor outlived its order's node pool "
			"(an attribute started being tracked during a walk)\n");
		abort();
	}
#endif
	return cur->pool;
}

/* Past the last member: the part's size, no member. */
static int32_t cursor_end(struct cl_cursor *cur)
{
	cur->leaf = NIL;
	cur->inst = -1;
	cur->rank = part_of(cur->cl, cur->a, cur->v)->size;
	return cur->rank;
}

/* The slots of x[0..16) holding at least m, as bits 0..15: four vector
 * compares packed into one mask (SSE2), no branch per slot. */
static inline unsigned ge_mask16(const int32_t *x, int32_t m)
{
#ifdef __SSE2__
	__m128i mm = _mm_set1_epi32(m);
	__m128i a = _mm_cmplt_epi32(_mm_loadu_si128((const __m128i *)(const void *)x), mm);
	__m128i b = _mm_cmplt_epi32(_mm_loadu_si128((const __m128i *)(const void *)(x + 4)), mm);
	__m128i c = _mm_cmplt_epi32(_mm_loadu_si128((const __m128i *)(const void *)(x + 8)), mm);
	__m128i d = _mm_cmplt_epi32(_mm_loadu_si128((const __m128i *)(const void *)(x + 12)), mm);

	return ~(unsigned)_mm_movemask_epi8(_mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d))) &
	       0xffffu;
#else
	unsigned u = 0;

	for (int j = 0; j < 16; j++)
		u |= (unsigned)(x[j] >= m) << j;
	return u;
#endif
}

/* The first j in [from, n) with x[j] >= m, or n, where x is a node's or a
 * leaf's array of 64 slots: sixteen slots a test, the first hit by its bit
 * (a block that would pass the array's end is read as its last sixteen
 * slots, the ones before `from` shifted out). */
_Static_assert(BT_M == 64 && BT_L == 64, "first_ge: 64-slot arrays");

static inline int first_ge(const int32_t *x, int from, int n, int32_t m)
{
	if (from < n && x[from] >= m)   /* (a step to the next slot mostly ends there) */
		return from;
	while (from < n) {
		int s = from <= 64 - 16 ? from : 64 - 16;
		unsigned u = ge_mask16(x + s, m) >> (from - s);

		if (n - from < 16)
			u &= (1u << (n - from)) - 1;
		if (u)
			return from + __builtin_ctz(u);
		from = s + 16;
	}
	return n;
}

/* The first entry with aux >= cur->min and a sort key below cur->stop
 * (else the end) from where the cursor stands: slot
 * `from` of its leaf when in_leaf, else after slot cur->slot[l] of the
 * internal node cur->path[l].  A leaf or node passed without one climbs to
 * its parent; a child whose max is below min is skipped by its count
 * (cur->base, the rank of what comes next, stays exact); one that may hold
 * it is entered at its first slot.  A max may be above every entry below it
 * (a stale one): that child is then passed like the others. */
static int32_t cursor_descend(struct cl_cursor *cur, int32_t r, int32_t from);

static int32_t cursor_walk(struct cl_cursor *cur, int l, int from, int in_leaf)
{
	const struct bpool *p = cursor_pool(cur);
	/* min as an aux (entries are 32-bit; above that none has it) */
	int32_t m = cur->min < INT32_MIN ? INT32_MIN : (int32_t)cur->min;
	int32_t base = cur->base;       /* kept in a register, stored on return */

	for (;;) {
		const struct bnode *b;
		int32_t r;
		int j;

		if (in_leaf) {
			const struct bleaf *L = LF(p, cur->leaf);
			int i, n = L->n;

			/* most of a walk's time is here, in the slots short of
			 * the other resource; the bound is checked on the slot
			 * found (those before it lack the resource) */
			i = first_ge(L->aux, from, n, m);
			if (i < n) {
				if (L->ck[i] >= cur->stop)
					return cursor_end(cur);
				cur->pos = i;
				cur->base = base;
				cur->rank = base + i;
				cur->inst = CK_ID(L->ck[i]);
				return cur->rank;
			}
			if (n > 0 && L->ck[n - 1] >= cur->stop)     /* the bound is here */
				return cursor_end(cur);
			base += L->n;
			if (cur->h < 0) {       /* resumed: a descent to the next rank */
				cur->base = 0;
				return cursor_descend(cur, part_of(cur->cl, cur->a, cur->v)->root[cur->k], base);
			}
			in_leaf = 0;
			l = cur->h - 1;
			continue;
		}
		if (l < 0)
			return cursor_end(cur);
		b = &p->nd[cur->path[l]];
		j = cur->slot[l] + 1;
		while (j < b->n && b->aux[j] < m)
			base += b->cnt[j++];
		if (j == b->n) {
			l--;
			continue;
		}
		cur->slot[l] = j;
		r = b->ch[j];
		if (IS_LEAF(r)) {
			cur->leaf = r;
			cur->h = l + 1;
			in_leaf = 1;
			from = 0;
			continue;
		}
		if (++l >= CL_CURSOR_DEPTH)
			abort();
		cur->path[l] = r;
		cur->slot[l] = -1;
	}
}

/* ensure() out of line: inlined, its loop made every cursor's start save
 * and restore the registers it uses (a start is mostly a few stores). */
static __attribute__((noinline, cold)) void cursor_build(const struct cluster *cl, int a, int k)
{
	ensure(cl, a, k);
}

/* The cursor on part (a, v), order k, before any descent; the root. */
static inline int32_t cursor_start(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
				   enum cl_key k, int64_t other_min)
{
	if (!kept(forest_of(cl, a), k))         /* (the call only when it builds) */
		cursor_build(cl, a, (int)k);
	cur->cl = cl;
	cur->pool = &forest_of(cl, a)->t[k];
	cur->a = a;
	cur->v = v;
	cur->k = (int)k;
	cur->min = k == CL_BY_NUM ? INT64_MIN : other_min;
	cur->stop = INT64_MAX;
	cur->base = 0;
	cur->h = 0;
	if (cur->min > INT32_MAX)       /* no entry has that much */
		return NIL;
	return part_of(cl, a, v)->root[k];
}

/* The descent to the leaf holding rank `from`, then the walk from there.
 * A child on the way whose max is below min holds none: the walk goes on
 * after it. */
static int32_t cursor_descend(struct cl_cursor *cur, int32_t r, int32_t from)
{
	const struct bpool *p = cursor_pool(cur);
	int l = 0;

	if (r == NIL)
		return cursor_end(cur);
	while (!IS_LEAF(r)) {
		const struct bnode *b = &p->nd[r];
		int j = 0;

		while (j < b->n - 1 && from >= cur->base + b->cnt[j])
			cur->base += b->cnt[j++];
		if (l >= CL_CURSOR_DEPTH)
			abort();
		cur->path[l] = r;
		cur->slot[l] = j;
		if (b->aux[j] < cur->min) {
			cur->base += b->cnt[j];
			return cursor_walk(cur, l, 0, 0);
		}
		r = b->ch[j];
		l++;
	}
	cur->leaf = r;
	cur->h = l;
	{
		int32_t i = from - cur->base;

		return cursor_walk(cur, l, i < 0 ? 0 : i > LF(p, r)->n ? LF(p, r)->n : (int)i, 1);
	}
}

/* One node of a lower descent for sort key c and aux min m: the child that
 * holds c while `keyed` (base grows by the counts before it), then the
 * first from there whose max has m (the skipped children's counts into
 * base; keyed cleared: every entry past them is after c).  nc when none
 * has it. */
static inline __attribute__((always_inline)) int lower_child(const struct bnode *b, int64_t c, int32_t m,
							    int *keyed, int32_t *base)
{
	long j = 0, nc = b->n;          /* (long: no widening per step) */

	/* (a binpack start mostly falls in the first child; a node of one
	 * child has sep[1] INT64_MAX, after every query key) */
	if (*keyed && c >= b->sep[1]) {
		int j0 = cfind(b, c);

		for (; j < j0; j++)
			*base += b->cnt[j];
	}
	if (b->aux[j] < m) {
		/* the children short of the other resource skipped by their
		 * counts; the ones after j hold only entries after c */
		*keyed = 0;
		do
			*base += b->cnt[j++];
		while (j < nc && b->aux[j] < m);
	}
	return (int)j;
}

/* The leaf of a lower descent: its first slot from c's (keyed) or from 0
 * whose aux is >= m (n when none); *i0 the slot the scan started from. */
static inline __attribute__((always_inline)) int lower_slot(const struct bleaf *L, int64_t c, int32_t m,
							   int keyed, int *i0)
{
	int i, n = L->n;

	if (keyed) {
		*i0 = lfind(L, c);
		return first_ge(L->aux, *i0, n, m);
	}
	*i0 = 0;                        /* from slot 0: whole blocks of sixteen */
	for (i = 0; i < n; i += 16) {
		unsigned u = ge_mask16(L->aux + i, m);

		if (u) {                /* (a hit past the entries: none here) */
			i += __builtin_ctz(u);
			break;
		}
	}
	return i;
}

/* How many of the four sort keys at k, in order, have amount am before
 * one that has not: on SSE2 their high halves compared at once (a mask
 * of the first ones set), elsewhere one compare each. */
static inline int run_more4(const int64_t *k, int64_t am)
{
#ifdef __SSE2__
	__m128 a = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(const void *)k));
	__m128 b = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(const void *)(k + 2)));
	__m128i hi = _mm_castps_si128(_mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
	unsigned u = (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(hi, _mm_set1_epi32((int32_t)am))));

	return __builtin_ctz(u + 1);    /* (u is 0, 1, 3, 7 or 15) */
#else
	int64_t last = (int64_t)((uint64_t)am << 32 | 0xffffffffu);     /* the greatest with am */

	return (k[0] <= last) + (k[1] <= last) + (k[2] <= last) + (k[3] <= last);
#endif
}

/* What follows a leaf, for run_end_at: the address of the separator
 * after it in its parent (every later entry of the tree is not before
 * it), or NULL when the leaf is the root (none follows).  When the leaf is
 * its parent's last child that slot is padding (INT64_MAX): it tells
 * nothing, as after a resumed cursor (sep_unknown), whose parent is not
 * known. */
static const int64_t sep_unknown = INT64_MAX;

/* Whether nothing after a leaf has amount am, by `next` (above). */
static inline int after_leaf_above(const int64_t *next, int64_t am)
{
	return !next || (*next != INT64_MAX && CK_KEY(*next) > am);
}

/* The end (rank past its last member) of the run of equal keys that
 * starts at slot i of leaf L, whose slot 0 has rank base; -1 when it may
 * go on in the next leaf: it reaches L's last entry and `next` (what
 * follows L, above) does not tell that the next leaf's amounts are all
 * greater (then it ends with L: base + L's size). */
static inline int32_t run_end_at(const struct bleaf *L, int i, int32_t base, const int64_t *next)
{
	int n = L->n;
	int64_t am = CK_KEY(L->ck[i]);
	/* The run's members among the next four slots, counted without a
	 * branch (runs of one, two, ... take turns: a test per slot was
	 * mispredicted about a third of the time).  The keys are in order,
	 * so those of the run come first.  A slot from n on (read up to
	 * i + 4 <= BT_L + BT_SLACK - 1: a leaf at rest holds at most 63)
	 * holds INT64_MAX, of amount INT32_MAX: counted only when am is
	 * INT32_MAX too, and then the run reaches slot n - 1: -1 either way
	 * (e >= n). */
	int e = i + 1 + run_more4(L->ck + i + 1, am);

	_Static_assert(BT_SLACK >= 3, "run_end_at: four slots past a member");
	if (e < i + 5) {                /* it ends within them: in this leaf, or at n */
		if (e < n)
			return base + e;
	} else if (CK_KEY(L->ck[n - 1]) != am) {          /* it ends in this leaf */
		return base + lfind(L, bt_qk(am + 1, 0));
	}
	/* it reaches the leaf's last entry: it may go on in the next leaf */
	return after_leaf_above(next, am) ? base + n : -1;
}

/* What follows the cursor's leaf (run_end_at's `next`): its parent's
 * separator after it, NULL at a root leaf, sep_unknown after a resume. */
static inline const int64_t *cursor_next_sep(const struct cl_cursor *cur, const struct bpool *p)
{
	if (cur->h <= 0)
		return cur->h < 0 ? &sep_unknown : NULL;
	return &p->nd[cur->path[cur->h - 1]].sep[cur->slot[cur->h - 1] + 1];
}

/* The descent to the first entry not before sort key c with aux >= min:
 * at each node the child that holds c, or the first later one whose max
 * has min (its entries are all after c: from there on the descent takes
 * each node's first child with min, the leaf's first slot with it).  What
 * cursor_walk would find from c's slot, without its set-up per level; a
 * node or leaf with none from there (a stale max above it, or c past its
 * entries) hands over to cursor_walk, which climbs. */
static inline __attribute__((always_inline)) int32_t cursor_lower_descend(struct cl_cursor *cur, int32_t r,
									  int64_t c)
{
	const struct bpool *p = cursor_pool(cur);
	/* min as an aux (cursor_start: not above INT32_MAX) */
	int32_t m = cur->min < INT32_MIN ? INT32_MIN : (int32_t)cur->min;
	int32_t base = 0;
	int l = 0, keyed = 1, i, i0, n;
	const struct bleaf *L;

	if (r == NIL)
		return cursor_end(cur);
	while (!IS_LEAF(r)) {
		const struct bnode *b = &p->nd[r];
		int nc = b->n, j = lower_child(b, c, m, &keyed, &base);

		if (l >= CL_CURSOR_DEPTH)
			abort();
		cur->path[l] = r;
		if (j == nc) {                  /* none here: cursor_walk climbs */
			cur->slot[l] = nc - 1;
			cur->base = base;
			return cursor_walk(cur, l, 0, 0);
		}
		cur->slot[l] = j;
		r = b->ch[j];
		l++;
	}
	L = LF(p, r);
	n = L->n;
	i = lower_slot(L, c, m, keyed, &i0);
	cur->leaf = r;
	cur->h = l;
	if (i >= n || L->ck[i] >= cur->stop) {  /* the walk decides (climb or end) */
		cur->base = base;
		return cursor_walk(cur, l, i0, 1);
	}
	cur->pos = i;
	cur->base = base;
	cur->rank = base + i;
	cur->inst = CK_ID(L->ck[i]);
	return cur->rank;
}

/* The bound of cluster_cursor_from. */
static void cursor_bound(struct cl_cursor *cur, int64_t max_key)
{
	if (cur->k != CL_BY_NUM && max_key < INT64_MAX)
		cur->stop = bt_qk(max_key + 1, 0);
}

int32_t cluster_cursor_from(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			    enum cl_key k, int32_t from, int64_t other_min, int64_t max_key)
{
	int32_t root = cursor_start(cur, cl, a, v, k, other_min);

	cursor_bound(cur, max_key);

	return cursor_descend(cur, root, from < 0 ? 0 : from);
}

int32_t cluster_cursor_lower(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			     enum cl_key k, int64_t key, int64_t other_min)
{
	int32_t root = cursor_start(cur, cl, a, v, k, other_min);

	return cursor_lower_descend(cur, root, bt_qk(key, 0));
}

int32_t cluster_cursor_lower_run(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
				 enum cl_key k, int64_t key, int64_t other_min, int64_t *amount, int32_t *end)
{
	int32_t root = cursor_start(cur, cl, a, v, k, other_min);
	int32_t r = cursor_lower_descend(cur, root, bt_qk(key, 0));
	const struct bleaf *L;

	if (cur->inst < 0) {
		*end = -1;
		return r;
	}
	/* cluster_cursor_run_end, the leaf at hand */
	L = LF(cursor_pool(cur), cur->leaf);
	*amount = CK_KEY(L->ck[cur->pos]);
	*end = run_end_at(L, cur->pos, cur->base, cursor_next_sep(cur, cursor_pool(cur)));
	return r;
}

/* The slots of x[0..32) holding more than t, as bits 0..31: eight vector
 * compares packed into two byte masks (SSE2), no branch per slot. */
static inline unsigned gt_mask32(const int32_t *x, int32_t t)
{
#ifdef __SSE2__
	__m128i tt = _mm_set1_epi32(t);
#define GT4(q) _mm_cmpgt_epi32(_mm_loadu_si128((const __m128i *)(const void *)(x + 4 * (q))), tt)
	__m128i lo = _mm_packs_epi16(_mm_packs_epi32(GT4(0), GT4(1)), _mm_packs_epi32(GT4(2), GT4(3)));
	__m128i hi = _mm_packs_epi16(_mm_packs_epi32(GT4(4), GT4(5)), _mm_packs_epi32(GT4(6), GT4(7)));
#undef GT4

	return (unsigned)_mm_movemask_epi8(lo) | (unsigned)_mm_movemask_epi8(hi) << 16;
#else
	unsigned u = 0;

	for (int j = 0; j < 32; j++)
		u |= (unsigned)(x[j] > t) << j;
	return u;
#endif
}

/* The first child of node b after child j, which is short of m, whose
 * max aux is at least m; b->n when none.  The children short of m cluster
 * at the start of a resource order (the instances binpack filled: ten or
 * so before the first with room, on the Google-shaped replay, nearly
 * always fewer than 32), so one mask of the first 32 children's maxima
 * mostly answers, without a branch per child (a node's aux past n is
 * INT32_MIN, below m: pad_aux; a first hit past n would mean none).  An
 * unranked descent (below) passes them so, without summing their counts. */
static inline int first_child_ge(const struct bnode *b, int j, int32_t m)
{
	int n = b->n, s = j < 32 ? 0 : 32;

	_Static_assert(BT_M == 64, "first_child_ge: two halves of 32 children");
	for (;;) {
		/* (m > INT32_MIN: child j is short of it) */
		unsigned u = gt_mask32(b->aux + s, m - 1) & (~0u << (j - s));

		if (u)
			return s + __builtin_ctz(u) < n ? s + __builtin_ctz(u) : n;
		if (s == 32 || n <= 32)
			return n;
		s = j = 32;
	}
}

/* cluster_lower_probe's descent from root r of pool p for sort key c and
 * aux m (what cursor_lower_descend finds, its path kept in no cursor): 1
 * with *out set, the run's end read in the member's leaf and told by
 * what follows it (run_end_at: its parent's separator after it, kept on
 * the way down); 0 when the tree is empty or the descent must climb (a
 * stale max, or c past a leaf's entries): the cursor's case,
 * lower_probe_slow.  Unranked (ranked 0: cluster_spread_lower), no count
 * is read: the children short of m are passed by a mask of their maxima
 * (first_child_ge), and out->rank, end and mark.base are -1
 * (cluster_probe_rank). */
static inline __attribute__((always_inline)) int probe_descend(const struct bpool *p, int32_t r, int64_t c,
							       int32_t m, struct cl_probe *out, int ranked)
{
	const int64_t *nx = NULL;       /* (a root leaf: none follows) */
	int32_t base = 0;
	int keyed = 1, i, i0, e;
	const struct bleaf *L;

	if (r == NIL)
		return 0;
	while (!IS_LEAF(r)) {
		const struct bnode *b = &p->nd[r];
		int j;

		if (ranked) {
			j = lower_child(b, c, m, &keyed, &base);
		} else {
			/* lower_child's child, without the counts */
			j = keyed && c >= b->sep[1] ? cfind(b, c) : 0;
			if (b->aux[j] < m) {
				keyed = 0;
				j = first_child_ge(b, j, m);
			}
		}
		if (j == b->n)
			return 0;
		nx = b->sep + j + 1;    /* (j + 1 <= n < BT_M: in the array) */
		r = b->ch[j];
	}
	L = LF(p, r);
	i = lower_slot(L, c, m, keyed, &i0);
	if (i >= L->n)
		return 0;
	out->inst = CK_ID(L->ck[i]);
	out->amount = CK_KEY(L->ck[i]);
	out->mark.leaf = r;
	out->mark.pos = i;
	e = run_end_at(L, i, base, nx);
	out->len = e < 0 ? -1 : e - base - i;
	if (ranked) {
		out->rank = base + i;
		out->mark.base = base;
		out->end = e;
	} else {
		out->rank = out->end = out->mark.base = -1;
	}
	return 1;
}

/* cluster_lower_probe through a cursor (the rare descent that climbs, or
 * an order not built yet), its end included. */
static __attribute__((noinline)) int32_t lower_probe_slow(const struct cluster *cl, int a, int32_t v, enum cl_key k,
							   int64_t key, int64_t other_min, struct cl_probe *out)
{
	struct cl_cursor cur;

	out->rank = cluster_cursor_lower_run(&cur, cl, a, v, k, key, other_min, &out->amount, &out->end);
	out->inst = cur.inst;
	out->len = out->end < 0 ? -1 : out->end - out->rank;
	out->mark = cluster_cursor_mark(&cur);
	return out->rank;
}

/* An aux bound as a 32-bit aux (callers pass one not above INT32_MAX). */
static inline int32_t aux_min(int64_t other_min)
{
	return other_min < INT32_MIN ? INT32_MIN : (int32_t)other_min;
}

/* cluster_cursor_lower_run's answer without a cursor (probe_descend),
 * the run's end read in the member's leaf. */
int32_t cluster_lower_probe(const struct cluster *cl, int a, int32_t v, enum cl_key k, int64_t key,
			    int64_t other_min, struct cl_probe *out)
{
	const struct forest *f = forest_of(cl, a);

	if (!kept(f, k) || other_min > INT32_MAX ||
	    !probe_descend(&f->t[k], part_of(cl, a, v)->root[k], bt_qk(key, 0), aux_min(other_min), out, 1))
		return lower_probe_slow(cl, a, v, k, key, other_min, out);
	return out->rank;
}

int cluster_spread_lower(struct cluster *cl, int a, uint32_t g, enum cl_key k, int64_t key, int64_t other_min,
			 int32_t max, int32_t *vals, struct cl_probe *pr, unsigned *tied, int64_t *level)
{
	/* (the placement's constants: the attribute, its counts of g, the
	 * order's pool, the query's sort key and aux) */
	const struct sattr *s = &cl->sa[a];
	const struct gcount *gc = spread_counts(cl, a, g);
	const struct bpool *p = &s->f.t[k];
	int64_t c = bt_qk(key, 0), lev = INT64_MIN;
	int32_t m = aux_min(other_min);
	int fast = kept(&s->f, k) && other_min <= INT32_MAX;

	if (max > 32)
		max = 32;
	for (;;) {
		int32_t nl = spread_level(s, gc, lev, max, vals, &lev);
		int64_t least = INT64_MAX;
		unsigned t = 0;

		if (nl <= 0)
			return nl;
		/* each value's probe, in value order: the bits of the values
		 * whose amount is the least so far (none: INT64_MAX, whose
		 * bits are dropped as soon as a value has a member) */
		for (int32_t j = 0; j < nl; j++) {
			if (!(fast && probe_descend(p, s->parts[vals[j]].root[k], c, m, &pr[j], 0)))
				lower_probe_slow(cl, a, vals[j], k, key, other_min, &pr[j]);
			least_step(pr[j].inst < 0 ? INT64_MAX : pr[j].amount, 1u << j, &least, &t);
		}
		if (least == INT64_MAX)
			continue;       /* no member at this level */
		*tied = t;
		*level = lev;
		return 1;
	}
}

void cluster_probe_rank(const struct cluster *cl, int a, int32_t v, enum cl_key k, struct cl_probe *pr)
{
	if (pr->inst < 0 || pr->rank >= 0)
		return;
	pr->rank = cluster_part_rank(cl, a, v, k, pr->amount, pr->inst);
	pr->end = pr->len < 0 ? -1 : pr->rank + pr->len;
	pr->mark.base = pr->rank - pr->mark.pos;
}

void cluster_cursor_bound(struct cl_cursor *cur, int64_t max_key)
{
	cursor_bound(cur, max_key);
}

int32_t cluster_cursor_next(struct cl_cursor *cur)
{
	if (cur->leaf == NIL)
		return cur->rank;
	return cursor_walk(cur, cur->h, cur->pos + 1, 1);
}

int32_t cluster_cursor_run_end(const struct cl_cursor *cur)
{
	const struct bleaf *L;
	int64_t key;
	int n;

	if (cur->leaf == NIL || cur->k == CL_BY_NUM)
		return -1;
	L = LF(cursor_pool(cur), cur->leaf);
	n = L->n;
	key = CK_KEY(L->ck[cur->pos]);
	if (cur->pos + 1 < n && CK_KEY(L->ck[cur->pos + 1]) != key)   /* a run of one here */
		return cur->rank + 1;
	if (CK_KEY(L->ck[n - 1]) == key)        /* it may go on in the next leaf */
		return after_leaf_above(cursor_next_sep(cur, cursor_pool(cur)), key) ? cur->base + n : -1;
	return cur->base + lfind(L, bt_qk(key + 1, 0));
}

struct cl_mark cluster_cursor_mark(const struct cl_cursor *cur)
{
	struct cl_mark m = { cur->leaf, cur->pos, cur->base };

	return m;
}

int cluster_mark_run(const struct cluster *cl, int a, enum cl_key k, struct cl_mark m, int32_t n,
		     int64_t other_min, int32_t *out)
{
	const struct bleaf *L = LF(&forest_of(cl, a)->t[k], m.leaf);
	int got = 0;

	if (other_min > INT32_MAX)      /* no entry has that much */
		return 0;
	for (int s = m.pos + 1; s <= m.pos + n; s++)
		if (L->aux[s] >= other_min)
			out[got++] = CK_ID(L->ck[s]);
	return got;
}

int32_t cluster_cursor_resume(struct cl_cursor *cur, const struct cluster *cl, int a, int32_t v,
			      enum cl_key k, int64_t other_min, int64_t max_key, struct cl_mark m)
{
	int32_t root = cursor_start(cur, cl, a, v, k, other_min);

	cursor_bound(cur, max_key);
	if (root == NIL || m.leaf == NIL)
		return cursor_end(cur);
	cur->leaf = m.leaf;
	cur->base = m.base;
	cur->h = -1;
	return cursor_walk(cur, 0, m.pos + 1, 1);
}
