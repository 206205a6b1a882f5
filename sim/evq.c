/* sim/evq.c — the future-event list keyed by (t, cls, seq) (evq.h): a
 * timing wheel for the near future and 4-ary min-heaps for the rest.
 *
 * Order words.  A key is the time and one 64-bit order word packing, from
 * the top bit down, the class (1 bit), the "last" flag (1 bit), the
 * sequence number (EVQ_SEQ_BITS bits) and the handler type (EVQ_TYPE_BITS
 * bits).  Sequence numbers are unique, so the type in the low bits never
 * decides an order, and (t, word) compares as (t, cls, seq) does.
 *
 * The wheel.  Time is cut into blocks of W0_N ms.  Level 0 holds the events
 * of one block, cb, in a slot per millisecond: a list sorted by order word
 * (its events share their time), so a slot's first event is its least and
 * the first slot that holds events (cur) holds the earliest event.  Nearly
 * always an event is appended (l0_put for the rest).  Level 1 holds the
 * events of the next W1_N - 1 blocks, a bucket per block (a ring indexed by
 * the block's low bits), unsorted, with the bucket's earliest time kept.
 * Bitmaps with summary words find the next slot or bucket that holds
 * events.  When level 0 is empty, evq_settle makes the next bucket's block
 * level 0's (its events move in: an event moves at most once).  Items live
 * in one pool, linked by index; freed ones are reused first.  A bucket's
 * events do not stay in their items: evq_settle copies them, in the
 * bucket's order, into the pool's arena, a range of items that only a
 * settled block uses (the items they leave are free at once).  An item
 * taken when its event was pushed, a block or more before it runs, shares
 * its lines with other items taken about then: read again when the block
 * runs, mostly a miss each.  The arena's items are the block's alone, half
 * as many lines, filled in one pass (replays of 1 and 30 days: 1-2 % less
 * time).  A dropped arena item does not join the free list (evq_drop_at):
 * the whole arena is free again when level 0 is empty, which is when the
 * next block settles into it.  A bucket keeps its events in EVQ_LANES
 * lists, its k-th in list k % EVQ_LANES, so that evq_settle's walk of them
 * (a miss per item: each was taken when its event was pushed) follows
 * four chains side by side, not one: in a 1-day replay evq_settle's share
 * of the time fell from 4.1 to 1.9 % (8 lists: no less).
 *
 * The heaps.  Events past level 1's blocks wait in the heap `far`, after
 * every event of the wheel; evq_settle moves those that level 1 then
 * reaches into the wheel.  Events before cb's block (a plain queue's caller
 * may push a time before the last one taken; the engine never does) go to
 * the heap `early`, before every event of the wheel, which evq_pop takes
 * first.  So the three are ordered by time and the earliest event is always
 * early's least, else the wheel's first, with no key compared between them;
 * in a simulation both heaps are nearly always empty.  A push costs a slot's
 * append and a pop its unlink and a bitmap search instead of the heap's
 * ~log4(n) levels of compares and moves, and every key comes out in exactly
 * the heap's order.
 *
 * In a heap, every node's key is <= the keys of its (up to 4) children.  A
 * pop moves the hole to a leaf along the least children and lifts the
 * heap's last node from there (the last node is usually late: it seldom
 * rises), one compare a level fewer than sifting it down from the root. */
#include "evq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"


#define EVQ_SEQ_BITS (62 - EVQ_TYPE_BITS)
#define EVQ_SEQ_MASK ((UINT64_C(1) << EVQ_SEQ_BITS) - 1)
#define BLOCK_BITS EVQ_BLOCK_BITS
#define W0_N EVQ_W0_N
#define W1_N EVQ_W1_N

/* struct evq_heap (evq.h): h is base + 1, base aligned to 64 bytes: the 4
 * children of node i, h[4i+1..4i+4], are base[4i+2..4i+5], two whole
 * cache lines. */
#define node evq_node

#ifdef __SIZEOF_INT128__
/* A key as one signed 128-bit integer: the time above, the order word
 * below (GCC's and Clang's __int128 on 64-bit targets; the conversion
 * from unsigned wraps): one compare, no branch for a predictor to miss. */
__extension__ typedef __int128 key128;

static inline key128 key(const struct node *a)
{
	return (key128)((unsigned __int128)(uint64_t)a->t << 64 | a->w);
}

static inline int before(const struct node *a, const struct node *b)
{
	return key(a) < key(b);
}
#else
/* Without a 128-bit integer (32-bit targets): the same order, field by
 * field. */
static inline int before(const struct node *a, const struct node *b)
{
	return a->t < b->t || (a->t == b->t && a->w < b->w);
}
#endif

/* The order word of (cls, seq) with type bits 0. */
static inline uint64_t word(uint32_t cls, uint64_t seq)
{
	if ((seq & ~EVQ_SEQ_LAST) > EVQ_SEQ_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: event sequence numbers exhausted\n");
		abort();
	}
	return evq_word(cls, seq);
}

/* ---------------------------------------------------------------- heaps */

static void heap_push(struct evq_heap *q, struct node ev)
{
	struct node *h;
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		struct node *b = aligned_alloc(64, (cap + 2) * sizeof *b);

		if (!b) {
			fprintf(stderr, "ecsim: fatal: out of memory (%zu bytes)\n", (cap + 2) * sizeof *b);
			exit(1);
		}
		if (q->n)
			memcpy(b + 1, q->h, q->n * sizeof *b);
		free(q->base);
		q->base = b;
		q->h = b + 1;
		q->cap = cap;
	}
	h = q->h;
	i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (!before(&ev, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = ev;
}

/* The least node taken (the heap holds nodes) into *out. */
static void heap_pop(struct evq_heap *q, struct node *out)
{
	struct node *h = q->h, last;
	size_t i = 0, n;

	*out = h[0];
	n = --q->n;
	if (n == 0)
		return;
	last = h[n];
	/* the hole down to a leaf, along the least child */
	for (;;) {
		size_t c = 4 * i + 1, best = c;

		if (c + 3 < n) {
			/* the least of the 4 by arithmetic, not branches
			 * (which child is least is a coin toss to a
			 * predictor) */
			size_t b01 = c + (size_t)before(&h[c + 1], &h[c]);
			size_t b23 = c + 2 + (size_t)before(&h[c + 3], &h[c + 2]);

			best = before(&h[b23], &h[b01]) ? b23 : b01;
		} else if (c < n) {
			for (size_t k = c + 1; k < n; k++)
				if (before(&h[k], &h[best]))
					best = k;
		} else {
			break;
		}
		h[i] = h[best];
		i = best;
	}
	/* the last node up from the hole */
	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (!before(&last, &h[p]))
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = last;
}

/* ---------------------------------------------------------------- wheel */

/* The pool doubled (no free item is left). */
static __attribute__((noinline)) void pool_grow(struct evq *q)
{
	uint32_t from = q->n_pool ? q->n_pool : 1, cap = q->n_pool ? q->n_pool * 2 : 1024;

	if (q->n_pool >= UINT32_MAX / 2) {
		fprintf(stderr, "ecsim: fatal: internal: too many pending events\n");
		abort();
	}
	size_t c = q->n_pool;

	xgrow_aligned(&q->pool_mem, (void **)&q->pool, &c, cap, sizeof *q->pool, 64);
	/* listed so that the lower indexes come first */
	for (uint32_t i = cap - 1; i >= from; i--) {
		q->pool[i].next = q->free_;
		q->free_ = i;
	}
	q->n_pool = cap;
}

/* An arena for a settled block of n events, larger than the one it
 * replaces (at least 1,024 items, else twice the old one, else n): a new
 * range at the pool's end.  The old range's items (all free: level 0 is
 * empty as a block settles) join the free list, lower indexes first. */
static __attribute__((noinline)) void arena_grow(struct evq *q, uint32_t n)
{
	uint32_t cap = (uint64_t)q->ar_cap * 2 > n ? q->ar_cap * 2 : n, lo = q->n_pool ? q->n_pool : 1;
	size_t c = q->n_pool;

	if (cap < 1024)
		cap = 1024;
	if ((uint64_t)lo + cap >= UINT32_MAX / 2) {      /* (pool_grow's bound) */
		fprintf(stderr, "ecsim: fatal: internal: too many pending events\n");
		abort();
	}
	for (uint32_t i = q->ar_lo + q->ar_cap; i-- > q->ar_lo && q->ar_cap;) {
		q->pool[i].w = EVQ_W_FREE;
		q->pool[i].next = q->free_;
		q->free_ = i;
	}
	xgrow_aligned(&q->pool_mem, (void **)&q->pool, &c, (size_t)lo + cap, sizeof *q->pool, 64);
	q->ar_lo = lo;
	q->ar_cap = cap;
	q->n_pool = lo + cap;
	free(q->ix);
	q->ix = xmalloc((size_t)cap * sizeof *q->ix);
}

/* A free item (the pool doubled when none is left). */
static inline uint32_t item_new(struct evq *q)
{
	uint32_t i;

	if (q->free_ == 0)
		pool_grow(q);
	i = q->free_;
	q->free_ = q->pool[i].next;
	return i;
}

/* Whether hint h names an item that still holds its event. */
static inline int hint_ok(const struct evq *q, uint32_t i, uint64_t w)
{
	return i != 0 && q->pool[i].w == w;   /* (a free item's word is EVQ_W_FREE) */
}

/* Item i put in level-0 slot s (its time is the slot's), in order of word.
 * The usual case appends (numbers grow).  Else an event of an earlier
 * class than the slot's last: it goes after the last of its class (or of
 * the classes before it), which the slot's hint names once one was put so;
 * without a live hint the list is walked from its head, once: every event
 * of class "first" or ordinary put out of order after that updates the
 * hint (while the hint's event is queued, the later class's events behind
 * it are too, so no event of its class is appended).  So many events of
 * one millisecond in mixed classes cost no walk each. */
static void l0_insert(struct evq *q, uint32_t s, uint32_t i);
static inline __attribute__((always_inline)) void l0_put(struct evq *q, uint32_t s, uint32_t i)
{
	struct evq_item *p = q->pool, *x = &p[i];
	uint32_t h = q->l0[s], tail;

	x->next = 0;
	if (h == 0) {
		q->l0[s] = i;
		x->tl = i;               /* the list's last: itself */
		evq_mark(q, s);
		return;
	}
	tail = p[h].tl;
	if (p[tail].w < x->w) {
		p[tail].next = i;
		p[h].tl = i;
		return;
	}
	l0_insert(q, s, i);
}

/* l0_put's rest: an event out of order in slot s.  It goes before the
 * list's last (whose word is greater), so never at the end: the last
 * stays, and only a new first takes the list's last from the old one. */
static __attribute__((noinline)) void l0_insert(struct evq *q, uint32_t s, uint32_t i)
{
	struct evq_item *p = q->pool, *x = &p[i];
	struct evq_hint *h;
	uint32_t *at, c;

	/* class "first" (0) or ordinary (1): a "last" event's word is above
	 * every other's, so it never comes here */
	c = (uint32_t)(x->w >> 63);
	h = &q->hint[s];
	if (hint_ok(q, h->c[c].i, h->c[c].w)) {
		at = &p[h->c[c].i].next;
	} else if (c == 1 && hint_ok(q, h->c[0].i, h->c[0].w)) {
		/* the first ordinary one out of order: after the last "first" */
		at = &p[h->c[0].i].next;
		while (*at != 0 && p[*at].w < x->w)
			at = &p[*at].next;
	} else {
		for (at = &q->l0[s]; p[*at].w < x->w; at = &p[*at].next)
			;
	}
	x->next = *at;
	*at = i;
	if (at == &q->l0[s])
		x->tl = p[x->next].tl;
	h->c[c].i = i;
	h->c[c].w = x->w;
}

/* Item i (its key and payload set) put in the wheel: level 0 or 1 by its
 * block, which is cb or one of the next W1_N - 1.  Inline: the push of a
 * time past level 0's block (~1 in 8 on a replay) makes no call. */
static inline __attribute__((always_inline)) void place(struct evq *q, uint32_t i, sim_time_t t)
{
	struct evq_item *x = &q->pool[i];
	uint64_t blk = (uint64_t)t >> BLOCK_BITS;
	uint32_t b, n, l;
	struct evq_bucket *bk;

	if (blk == q->cb) {
		l0_put(q, (uint32_t)t & (W0_N - 1), i);
		return;
	}
	b = (uint32_t)blk & (W1_N - 1);
	bk = &q->l1[b];
	x->next = 0;
	n = bk->n;
	l = n % EVQ_LANES;
	bk->n = n + 1;
	if (n < EVQ_LANES) {
		bk->head[l] = i;
		if (n == 0) {
			bk->t = t;
			q->b1[b >> 6] |= UINT64_C(1) << (b & 63);
			q->b1s |= UINT64_C(1) << (b >> 6);
		}
	} else {
		q->pool[bk->tail[l]].next = i;
	}
	bk->tail[l] = i;
	if (t < bk->t)
		bk->t = t;
}

/* A push to a heap (out of line: the wheel's pushes save no registers). */
static __attribute__((noinline)) void push_heap(struct evq_heap *h, sim_time_t t, uint64_t w, void *target,
						uint64_t arg)
{
	heap_push(h, (struct node){ t, w, target, arg });
}

/* A push to the wheel with no free item: the pool doubled first. */
static __attribute__((noinline)) void push_grow(struct evq *q, sim_time_t t, uint64_t w, void *target,
						uint64_t arg)
{
	pool_grow(q);
	evq_push_slow(q, t, w, target, arg);
}

void evq_put_busy(struct evq *q, uint32_t s, uint32_t i)
{
	l0_put(q, s, i);
}

void evq_push_slow(struct evq *q, sim_time_t t, uint64_t w, void *target, uint64_t arg)
{
	uint64_t blk = (uint64_t)t >> BLOCK_BITS;
	uint32_t i;

	if (t < 0 || blk < q->cb) {
		/* before the wheel's block (a plain queue's caller may go
		 * back): before every event in the wheel */
		push_heap(&q->early, t, w, target, arg);
		return;
	}
	if (blk - q->cb >= W1_N) {
		/* past level 1: after every event in the wheel */
		push_heap(&q->far, t, w, target, arg);
		return;
	}
	if ((i = q->free_) == 0) {
		push_grow(q, t, w, target, arg);
		return;
	}
	/* level 1 (~1 push in 8 on a replay: the rest out of line, so this
	 * saves no registers), or level 0 once the pool grew */
	q->free_ = q->pool[i].next;
	q->pool[i] = (struct evq_item){ (uint32_t)t, 0, w, target, arg };
	place(q, i, t);
}

/* evq_drop_at's rest: slot s, the first that held events, emptied, and
 * so did its bitmap word.  No slot before s holds events, so neither does
 * a word or a summary word before s's: the next is the least bit left in
 * s's summary word, else in the next summary word that has one (16 at
 * most, scanned: a summary word empties once in ~60 words on a replay). */
void evq_next_slot(struct evq *q, uint32_t s)
{
	uint32_t k = s >> 6, j = k >> 6;
	uint64_t m = q->b0s[j] &= ~(UINT64_C(1) << (k & 63));

	while (m == 0) {
		if (++j == W0_N / 4096) {
			q->cur = W0_N;
			return;
		}
		m = q->b0s[j];
	}
	k = j << 6 | (uint32_t)__builtin_ctzll(m);
	q->cur = k << 6 | (uint32_t)__builtin_ctzll(q->b0[k]);
}

/* The first bucket from b on around the ring that holds events, W1_N if
 * none (the ring from cb + 1 is the order of the blocks). */
static uint32_t b1_next(const struct evq *q, uint32_t b)
{
	uint32_t k = b >> 6;
	uint64_t m;

	if ((m = q->b1[k] & (~UINT64_C(0) << (b & 63))) != 0)
		return k << 6 | (uint32_t)__builtin_ctzll(m);
	m = k + 1 < W1_N / 64 ? q->b1s & (~UINT64_C(0) << (k + 1)) : 0;
	if (m == 0 && (m = q->b1s) == 0)
		return W1_N;
	/* after k, or around: the least word (k's bits below b included) */
	k = (uint32_t)__builtin_ctzll(m);
	return k << 6 | (uint32_t)__builtin_ctzll(q->b1[k]);
}

int evq_settle(struct evq *q, sim_time_t until)
{
	uint32_t b = b1_next(q, (uint32_t)(q->cb + 1) & (W1_N - 1));
	sim_time_t t;

	if (b < W1_N)
		t = q->l1[b].t;
	else if (q->far.n)
		t = q->far.h[0].t;
	else
		return 0;
	if (t > until)
		return 0;
	/* level 0 takes the block of the earliest event: the bucket's
	 * events move in, and the heap's that level 1 now reaches */
	q->cb = (uint64_t)t >> BLOCK_BITS;
	if (b < W1_N) {
		struct evq_bucket *bk = &q->l1[b];
		uint32_t k;

		/* the bucket's events into the arena (its count told the
		 * room needed); each item they leave is free at once */
		if (bk->n > q->ar_cap)
			arena_grow(q, bk->n);
		k = q->ar_lo;
		/* the lists' items in the order pushed, the lists walked
		 * side by side (their misses overlap), then each one's event
		 * copied */
		{
			uint32_t c[EVQ_LANES], n = bk->n, *ix = q->ix;

			for (int l = 0; l < EVQ_LANES; l++)
				c[l] = bk->head[l];
			for (uint32_t j = 0; j < n; j++) {
				uint32_t l = j % EVQ_LANES;

				ix[j] = c[l];
				c[l] = q->pool[c[l]].next;
			}
			for (uint32_t j = 0; j < n; j++) {
				uint32_t i = ix[j];
				struct evq_item *y = &q->pool[i];

				q->pool[k] = *y;
				y->w = EVQ_W_FREE;
				y->next = q->free_;
				q->free_ = i;
				l0_put(q, q->pool[k].tl & (W0_N - 1), k);
				k++;
			}
		}
		bk->n = 0;
		if ((q->b1[b >> 6] &= ~(UINT64_C(1) << (b & 63))) == 0)
			q->b1s &= ~(UINT64_C(1) << (b >> 6));
	}
	while (q->far.n && ((uint64_t)q->far.h[0].t >> BLOCK_BITS) - q->cb < W1_N) {
		struct node x;
		uint32_t i;

		heap_pop(&q->far, &x);
		i = item_new(q);
		q->pool[i] = (struct evq_item){ (uint32_t)x.t, 0, x.w, x.target, x.arg };
		place(q, i, x.t);
	}
	return 1;
}

/* ---------------------------------------------------------------- queue */

struct evq *evq_new(void)
{
	struct evq *q = xcalloc(1, sizeof(struct evq));

	q->l0 = xcalloc(W0_N, sizeof *q->l0);
	q->hint = xcalloc(W0_N, sizeof *q->hint);
	q->l1 = xcalloc(W1_N, sizeof *q->l1);
	q->cur = W0_N;
	return q;
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	free(q->pool_mem);
	free(q->ix);
	free(q->l0);
	free(q->hint);
	free(q->l1);
	free(q->far.base);
	free(q->early.base);
	free(q);
}

static uint64_t push(struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq, uint32_t type,
		     void *target, uint64_t arg)
{
	if (type > EVQ_TYPE_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u out of range\n", type);
		abort();
	}
	evq_push_word(q, t, word(cls, seq) | type, target, arg);
	return seq;
}

uint64_t evq_push(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, t, 1, q->next_seq++, type, target, arg);
}

uint64_t evq_push_first(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, t, 0, q->next_seq++, type, target, arg);
}

uint64_t evq_push_last(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, t, 1, q->next_seq++ | EVQ_SEQ_LAST, type, target, arg);
}

int evq_pop(struct evq *q, struct event *out)
{
	const struct evq_item *x;

	if (q->early.n) {
		struct node n;
		struct evq_item it;

		heap_pop(&q->early, &n);
		it = (struct evq_item){ (uint32_t)n.t, 0, n.w, n.target, n.arg };
		evq_item_event(&it, n.t, out);
		return 1;
	}
	if ((x = evq_first(q)) == NULL) {
		if (!evq_settle(q, SIM_TIME_MAX))
			return 0;
		x = evq_first(q);
	}
	evq_item_event(x, evq_slot_time(q, q->cur), out);
	evq_drop_first(q);
	return 1;
}

sim_time_t evq_peek_time(const struct evq *q)
{
	uint32_t b;

	if (q->early.n)
		return q->early.h[0].t;
	if (q->cur < W0_N)
		return evq_slot_time(q, q->cur);
	if ((b = b1_next(q, (uint32_t)(q->cb + 1) & (W1_N - 1))) < W1_N)
		return q->l1[b].t;
	return q->far.n ? q->far.h[0].t : SIM_TIME_MAX;
}

uint64_t evq_take_seq_checked(struct evq *q)
{
	(void)word(0, q->next_seq);   /* the bound on numbers, checked */
	return q->next_seq++;
}

size_t evq_size(const struct evq *q)
{
	size_t n = q->far.n + q->early.n;

	for (uint32_t k = 0; k < W0_N / 64; k++)
		for (uint64_t m = q->b0[k]; m != 0; m &= m - 1)
			for (uint32_t i = q->l0[k << 6 | (uint32_t)__builtin_ctzll(m)]; i != 0;
			     i = q->pool[i].next)
				n++;
	for (uint32_t b = 0; b < W1_N; b++)
		n += q->l1[b].n;
	return n;
}
