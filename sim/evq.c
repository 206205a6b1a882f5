/* sim/evq.c — the future-event list keyed by (t, cls, seq) (evq.h): a
 * timing wheel for the near future and a 4-ary min-heap for the rest.
 *
 * Order words.  A key is the time and one 64-bit order word packing, from
 * the top bit down, the class (1 bit), the "last" flag (1 bit), the
 * sequence number (EVQ_SEQ_BITS bits) and the handler type (EVQ_TYPE_BITS
 * bits).  Sequence numbers are unique, so the type in the low bits never
 * decides an order, and (t, word) compares as (t, cls, seq) does: as one
 * 128-bit integer.
 *
 * The wheel.  Time is cut into blocks of W0_N ms.  Level 0 holds the events
 * of one block, cb (the block of the last event taken from the wheel), in
 * a slot per millisecond: a list sorted by order word (all its events have
 * one time), so a slot's first event is its least.  Level 1 holds the
 * events of the next W1_N - 1 blocks, a bucket per block (a ring indexed
 * by the block's low bits), unsorted, with the bucket's least key kept.
 * Bitmaps (with a summary word per 64 words) find the next slot or bucket
 * that holds events.  When level 0 is empty and the earliest event is in a
 * bucket, taking it first moves the whole bucket into level 0 (cb becomes
 * its block): an event moves at most once.  Everything else (times before
 * cb's block or past level 1's range) goes to the heap, which takes any
 * key; the queue's earliest key (struct evq's top) is the lesser of the
 * wheel's and the heap's.  In a simulation times never go back, so the
 * heap holds only the far future.  A pop costs a slot's unlink and a
 * bitmap search instead of the heap's ~log4(n) levels of compares and
 * moves, and every key comes out in exactly the heap's order.
 *
 * The heap.  Every node's key is <= the keys of its (up to 4) children.  A
 * node is 32 bytes: the time, the order word and the payload.  A pop moves
 * the hole to a leaf along the least children and lifts the heap's last
 * node from there (the last node is usually late: it seldom rises), one
 * compare a level fewer than sifting it down from the root. */
#include "evq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"


#define EVQ_SEQ_BITS (62 - EVQ_TYPE_BITS)
#define EVQ_SEQ_MASK ((UINT64_C(1) << EVQ_SEQ_BITS) - 1)
#define EVQ_TYPE_MASK ((UINT64_C(1) << EVQ_TYPE_BITS) - 1)

/* struct evq (evq.h): h is base + 1, base aligned to 64 bytes: the 4
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

/* ---------------------------------------------------------------- wheel */

#define W0_BITS 16                  /* a block: 2^16 ms (65.5 s), level 0's slots */
#define W1_BITS 12                  /* level 1's buckets: the next 4,095 blocks (~74 h) */
#define W0_N (UINT32_C(1) << W0_BITS)
#define W1_N (UINT32_C(1) << W1_BITS)
#define NIL 0                       /* no node (the pool's entry 0 is never used) */

/* An event in the wheel: its key and payload, and the next of its list. */
struct wnode {
	sim_time_t t;
	uint64_t w;
	void *target;
	uint64_t arg;
	uint32_t next;
};

struct wslot {
	uint32_t head, tail;
};

struct wbucket {
	uint32_t head, tail;
	sim_time_t t;                   /* the least key of its events */
	uint64_t w;
};

struct evq_wheel {
	uint64_t cb;                    /* level 0's block */
	/* the wheel's earliest key, (SIM_TIME_MAX, UINT64_MAX) when it is
	 * empty, and where it is: a level-0 slot, or W0_N + a bucket */
	sim_time_t tt;
	uint64_t tw;
	uint32_t at;
	size_t n;                       /* events in the wheel */
	struct wnode *pool;             /* the nodes; free ones listed from free_ */
	uint32_t n_pool, cap_pool, free_;
	uint64_t b0t;                   /* a bit per b0s word that is not 0 */
	uint64_t b0s[W0_N / 4096];      /* a bit per b0 word that is not 0 */
	uint64_t b0[W0_N / 64];         /* a bit per slot that holds events */
	uint64_t b1s;
	uint64_t b1[W1_N / 64];
	struct wslot l0[W0_N];
	struct wbucket l1[W1_N];
};

static inline int key_before(sim_time_t at, uint64_t aw, sim_time_t bt, uint64_t bw)
{
	struct node a = { at, aw, NULL, 0 }, b = { bt, bw, NULL, 0 };

	return before(&a, &b);
}

static struct evq_wheel *wheel_new(void)
{
	struct evq_wheel *w = xcalloc(1, sizeof *w);

	w->tt = SIM_TIME_MAX;
	w->tw = UINT64_MAX;
	for (uint32_t b = 0; b < W1_N; b++) {
		w->l1[b].t = SIM_TIME_MAX;
		w->l1[b].w = UINT64_MAX;
	}
	w->n_pool = 1;                  /* entry 0 is NIL */
	return w;
}

static uint32_t node_new(struct evq_wheel *w)
{
	uint32_t i = w->free_;

	if (i != NIL) {
		w->free_ = w->pool[i].next;
		return i;
	}
	if (w->n_pool >= w->cap_pool) {
		if (w->cap_pool >= UINT32_MAX / 2) {
			fprintf(stderr, "ecsim: fatal: internal: too many pending events\n");
			abort();
		}
		w->cap_pool = w->cap_pool ? w->cap_pool * 2 : 1024;
		w->pool = xrealloc(w->pool, (size_t)w->cap_pool * sizeof *w->pool);
	}
	return w->n_pool++;
}

static inline void b0_set(struct evq_wheel *w, uint32_t s)
{
	w->b0[s >> 6] |= UINT64_C(1) << (s & 63);
	w->b0s[s >> 12] |= UINT64_C(1) << (s >> 6 & 63);
	w->b0t |= UINT64_C(1) << (s >> 12);
}

static inline void b0_clear(struct evq_wheel *w, uint32_t s)
{
	if ((w->b0[s >> 6] &= ~(UINT64_C(1) << (s & 63))) != 0)
		return;
	if ((w->b0s[s >> 12] &= ~(UINT64_C(1) << (s >> 6 & 63))) != 0)
		return;
	w->b0t &= ~(UINT64_C(1) << (s >> 12));
}

/* The first level-0 slot at or after s that holds events, W0_N if none. */
static inline uint32_t b0_next(const struct evq_wheel *w, uint32_t s)
{
	uint32_t k, j;
	uint64_t m;

	if (s >= W0_N)
		return W0_N;
	k = s >> 6;
	if ((m = w->b0[k] & (~UINT64_C(0) << (s & 63))) != 0)
		return k << 6 | (uint32_t)__builtin_ctzll(m);
	/* the b0 words after k */
	if (++k >= W0_N / 64)
		return W0_N;
	j = k >> 6;
	if ((m = w->b0s[j] & (~UINT64_C(0) << (k & 63))) == 0) {
		/* the b0s words after j */
		if (++j >= W0_N / 4096 || (m = w->b0t & (~UINT64_C(0) << j)) == 0)
			return W0_N;
		j = (uint32_t)__builtin_ctzll(m);
		m = w->b0s[j];
	}
	k = j << 6 | (uint32_t)__builtin_ctzll(m);
	return k << 6 | (uint32_t)__builtin_ctzll(w->b0[k]);
}

/* The first bucket from b on around the ring that holds events, W1_N if
 * none (the ring from b is the order of the blocks after cb). */
static inline uint32_t b1_next(const struct evq_wheel *w, uint32_t b)
{
	uint32_t k = b >> 6;
	uint64_t m;

	if ((m = w->b1[k] & (~UINT64_C(0) << (b & 63))) != 0)
		return k << 6 | (uint32_t)__builtin_ctzll(m);
	m = k + 1 < W1_N / 64 ? w->b1s & (~UINT64_C(0) << (k + 1)) : 0;
	if (m == 0 && (m = w->b1s) == 0)
		return W1_N;
	/* after k, or around: the least word (k's bits below b included) */
	k = (uint32_t)__builtin_ctzll(m);
	return k << 6 | (uint32_t)__builtin_ctzll(w->b1[k]);
}

/* Node i put in level-0 slot s, in order of word (its time is the slot's). */
static inline void l0_put(struct evq_wheel *w, uint32_t s, uint32_t i)
{
	struct wslot *sl = &w->l0[s];
	struct wnode *p = w->pool, *x = &p[i];
	uint32_t *at;

	x->next = NIL;
	if (sl->head == NIL) {
		sl->head = sl->tail = i;
		b0_set(w, s);
		return;
	}
	if (p[sl->tail].w < x->w) {
		/* the usual case: numbers grow */
		p[sl->tail].next = i;
		sl->tail = i;
		return;
	}
	/* before the tail: an earlier class, or a bucket moved in late */
	for (at = &sl->head; p[*at].w < x->w; at = &p[*at].next)
		;
	x->next = *at;
	*at = i;
}

/* Whether the wheel takes an event at t: then it is queued there. */
static inline int wheel_push(struct evq_wheel *w, sim_time_t t, uint64_t word, void *target,
			     uint64_t arg)
{
	uint64_t blk = (uint64_t)t >> W0_BITS;   /* a negative t: past every range */
	uint32_t i, s;
	struct wnode *x;

	if (blk != w->cb && blk - w->cb - 1 >= W1_N - 1)
		return 0;
	i = node_new(w);
	x = &w->pool[i];
	*x = (struct wnode){ t, word, target, arg, NIL };
	w->n++;
	if (blk == w->cb) {
		s = (uint32_t)t & (W0_N - 1);
		l0_put(w, s, i);
	} else {
		uint32_t b = (uint32_t)blk & (W1_N - 1);
		struct wbucket *bk = &w->l1[b];

		if (bk->head == NIL) {
			bk->head = i;
			w->b1[b >> 6] |= UINT64_C(1) << (b & 63);
			w->b1s |= UINT64_C(1) << (b >> 6);
		} else {
			w->pool[bk->tail].next = i;
		}
		bk->tail = i;
		if (!key_before(t, word, bk->t, bk->w))
			return 1;
		bk->t = t;
		bk->w = word;
		s = W0_N + b;
	}
	if (key_before(t, word, w->tt, w->tw)) {
		w->tt = t;
		w->tw = word;
		w->at = s;
	}
	return 1;
}

/* The wheel's earliest key found again from level-0 slot s on (after its
 * first event was taken). */
static inline void wheel_find(struct evq_wheel *w, uint32_t s)
{
	uint32_t b;

	if ((s = b0_next(w, s)) < W0_N) {
		w->tt = (sim_time_t)(w->cb << W0_BITS | s);
		w->tw = w->pool[w->l0[s].head].w;
		w->at = s;
	} else if ((b = b1_next(w, (uint32_t)(w->cb + 1) & (W1_N - 1))) < W1_N) {
		w->tt = w->l1[b].t;
		w->tw = w->l1[b].w;
		w->at = W0_N + b;
	} else {
		w->tt = SIM_TIME_MAX;
		w->tw = UINT64_MAX;
	}
}

/* The wheel's earliest event taken (the wheel holds events) into *out. */
static inline void wheel_pop(struct evq_wheel *w, struct node *out)
{
	uint32_t s = w->at, i;
	struct wslot *sl;
	struct wnode *x;

	if (s >= W0_N) {
		/* level 0 is empty and the earliest is in a bucket: the bucket
		 * becomes level 0 */
		struct wbucket *bk = &w->l1[s - W0_N];
		uint32_t b = s - W0_N;

		w->cb = (uint64_t)w->tt >> W0_BITS;
		for (i = bk->head; i != NIL;) {
			uint32_t next = w->pool[i].next;

			l0_put(w, (uint32_t)w->pool[i].t & (W0_N - 1), i);
			i = next;
		}
		bk->head = NIL;
		bk->t = SIM_TIME_MAX;
		bk->w = UINT64_MAX;
		if ((w->b1[b >> 6] &= ~(UINT64_C(1) << (b & 63))) == 0)
			w->b1s &= ~(UINT64_C(1) << (b >> 6));
		s = (uint32_t)w->tt & (W0_N - 1);
	}
	sl = &w->l0[s];
	i = sl->head;
	x = &w->pool[i];
	*out = (struct node){ x->t, x->w, x->target, x->arg };
	sl->head = x->next;
	x->next = w->free_;
	w->free_ = i;
	w->n--;
	if (sl->head != NIL) {
		w->tw = w->pool[sl->head].w;    /* same time, same slot */
		return;
	}
	b0_clear(w, s);
	wheel_find(w, s + 1);
}

/* ---------------------------------------------------------------- heap */

struct evq *evq_new(void)
{
	struct evq *q = xcalloc(1, sizeof(struct evq));

	q->wh = wheel_new();
	q->top_t = SIM_TIME_MAX;
	q->top_w = UINT64_MAX;
	return q;
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	free(q->wh->pool);
	free(q->wh);
	free(q->base);
	free(q);
}

static void heap_push(struct evq *q, struct node ev)
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

/* The heap's least node taken (the heap holds nodes) into *out. */
static void heap_pop(struct evq *q, struct node *out)
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

/* ---------------------------------------------------------------- queue */

static uint64_t push(struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq, uint32_t type,
		     void *target, uint64_t arg)
{
	uint64_t w = word(cls, seq) | type;
	int heap;

	if (type > EVQ_TYPE_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u out of range\n", type);
		abort();
	}
	heap = !wheel_push(q->wh, t, w, target, arg);
	if (heap)
		heap_push(q, (struct node){ t, w, target, arg });
	q->len++;
	if (key_before(t, w, q->top_t, q->top_w)) {
		q->top_t = t;
		q->top_w = w;
		q->top_heap = heap;
	}
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
	struct evq_wheel *w = q->wh;
	struct node x;

	if (q->len == 0)
		return 0;
	if (q->top_heap)
		heap_pop(q, &x);
	else
		wheel_pop(w, &x);
	out->t = x.t;
	out->cls = (uint32_t)(x.w >> 63);
	out->seq = (x.w >> EVQ_TYPE_BITS & EVQ_SEQ_MASK) | (x.w >> 62 & 1 ? EVQ_SEQ_LAST : 0);
	out->type = (uint32_t)(x.w & EVQ_TYPE_MASK);
	out->target = x.target;
	out->arg = x.arg;
	q->len--;
	/* the lesser of the wheel's earliest key and the heap's */
	if (q->n && key_before(q->h[0].t, q->h[0].w, w->tt, w->tw)) {
		q->top_t = q->h[0].t;
		q->top_w = q->h[0].w;
		q->top_heap = 1;
	} else {
		q->top_t = w->tt;
		q->top_w = w->tw;
		q->top_heap = 0;
	}
	return 1;
}

sim_time_t evq_peek_time(const struct evq *q)
{
	return q->top_t;
}

uint64_t evq_take_seq_checked(struct evq *q)
{
	(void)word(0, q->next_seq);   /* the bound on numbers, checked */
	return q->next_seq++;
}

int evq_before_top(const struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq)
{
	return q->len == 0 || key_before(t, word(cls, seq), q->top_t, q->top_w);
}

size_t evq_size(const struct evq *q)
{
	return q->len;
}
