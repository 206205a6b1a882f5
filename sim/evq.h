/* sim/evq.h — the future-event list.
 *
 * Events are ordered by (t, class, seq): seq is assigned by evq_push from a
 * counter, so events of one class at the same time come out in the order
 * they were scheduled (FIFO within ties), deterministically.  Three classes:
 * "first" (evq_push_first: cls 0), ordinary (evq_push: cls 1) and "last"
 * (cls 1 and EVQ_SEQ_LAST set in seq).  An event pushed with evq_push_last
 * carries EVQ_SEQ_LAST in its seq, so it comes out after every ordinary
 * event of the same time, including ones pushed later (an observation of
 * the state "at t" that must see everything that happened at t).
 * Implemented as a timing wheel of 1-ms slots for the near future (up to
 * 2^28 ms, ~74 h, ahead) with 4-ary heaps for the rest (evq.c).  Handler
 * types must be below 1024 and at most 2^52 events may be pushed in one
 * queue's life (both checked: abort).
 *
 *   evq_push       O(1) in the wheel's range, else O(log n)
 *   evq_pop        O(1) amortised in the wheel's range, else O(log n)
 *   evq_peek_time  O(1)
 *
 * Cancellation is lazy: models keep a generation number in their object and
 * pass it in `arg`; a handler seeing a stale generation ignores the event.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t sim_time_t;          /* simulated time, milliseconds */
#define SIM_TIME_MAX INT64_MAX
#define SIM_MS_PER_S 1000

/* Seconds (from input or a distribution draw) to simulated time: rounded
 * to the nearest millisecond, negative values (and NaN) to 0, values past
 * SIM_TIME_LONG (infinity included) to SIM_TIME_LONG, so that a draw of a
 * heavy-tailed distribution never overflows.  The one conversion every
 * model uses. */
#define SIM_TIME_LONG (SIM_TIME_MAX / 4)   /* ~1.8e7 years: "never" */
static inline sim_time_t sim_ms(double seconds)
{
	if (!(seconds > 0))
		return 0;
	if (seconds >= (double)(SIM_TIME_LONG / SIM_MS_PER_S))
		return SIM_TIME_LONG;
	return (sim_time_t)(seconds * SIM_MS_PER_S + 0.5);
}

struct event {
	sim_time_t t;
	uint64_t seq;
	uint32_t type;                   /* index into the handler table */
	uint32_t cls;                    /* 0: first, 1: ordinary or last */
	void *target;
	uint64_t arg;
};

/* The queue (evq.c); its layout is here only so that the common push
 * and the reading of the earliest event inline (they run for every
 * event): use the functions. */
#define EVQ_BLOCK_BITS 16                /* a block: 2^16 ms (65.5 s) */
#define EVQ_W0_N (UINT32_C(1) << EVQ_BLOCK_BITS)   /* level 0's slots: 1 a ms */
#define EVQ_W1_BITS 12                   /* level 1: the next 2^12 - 1 blocks */
#define EVQ_W1_N (UINT32_C(1) << EVQ_W1_BITS)

/* An event in the wheel: its key (time, order word with the type in the
 * low bits), payload and the next in its list (0: none).  32 bytes, two
 * to a cache line (the pool is aligned): an item is never cut by a line.
 * Of the time only the low 32 bits are kept in level 1, enough to tell
 * its slot (2^16 ms a block; its block is its bucket's); in level 0 its
 * slot tells it, and the first item of a slot's list keeps the list's
 * last there instead (a slot is its first item's index alone).  A free
 * item's word is EVQ_W_FREE, never an event's (its "last" flag is set and
 * every bit of its number: hints, which name no "last" event, never match
 * it). */
struct evq_item {
	uint32_t tl;                     /* level 1: the time's low 32 bits; a level-0 list's first: its last */
	uint32_t next;
	uint64_t w;
	void *target;
	uint64_t arg;
};
#define EVQ_W_FREE UINT64_MAX

/* The last event of class "first" (c[0]) and of class ordinary (c[1])
 * put in a slot out of order: item and word (the word tells the item
 * still holds it). */
struct evq_hint {
	struct {
		uint32_t i;
		uint64_t w;
	} c[2];
};

#define EVQ_LANES 4                  /* a level-1 bucket's lists */
struct evq_bucket {
	uint32_t head[EVQ_LANES], tail[EVQ_LANES];   /* its k-th event in list k % EVQ_LANES */
	sim_time_t t;                    /* its earliest time */
	uint32_t n;                      /* its events */
};

/* A heap of (time, order word, payload) nodes. */
struct evq_node {
	sim_time_t t;
	uint64_t w;                      /* cls | last | seq | type (evq.c) */
	void *target;
	uint64_t arg;
};

struct evq_heap {
	struct evq_node *base, *h;
	size_t n, cap;
};

struct evq {
	struct evq_item *pool;           /* the wheel's items (in pool_mem, aligned to 64 bytes); 0 is none */
	uint32_t free_;                  /* the free items, listed by next */
	uint32_t cur;                    /* level 0's first slot that holds events, EVQ_W0_N if none */
	uint64_t cb;                     /* level 0's block */
	uint32_t *l0;                    /* level 0: a slot per ms of block cb, its list's first item (0: empty) */
	uint64_t next_seq;
	uint64_t b0[EVQ_W0_N / 64];      /* a bit per level-0 slot that holds events */
	uint64_t b0s[EVQ_W0_N / 4096];   /* a bit per b0 word that is not 0 (16 words: scanned) */
	struct evq_hint *hint;           /* per level-0 slot (evq.c's l0_put) */
	uint64_t b1[EVQ_W1_N / 64];      /* a bit per level-1 bucket that holds events */
	uint64_t b1s;
	struct evq_bucket *l1;           /* level 1: a bucket per block, ring */
	uint32_t n_pool;
	uint32_t ar_lo, ar_cap;          /* the arena: pool[ar_lo, ar_lo + ar_cap), where a block's
					  * events settle (evq.c); 0, 0 until the first */
	uint32_t *ix;                    /* evq_settle's: a bucket's items in order (ar_cap) */
	void *pool_mem;
	struct evq_heap far;             /* blocks past level 1's */
	struct evq_heap early;           /* blocks before cb (evq_push allows them) */
};

struct evq *evq_new(void);
void evq_free(struct evq *q);        /* NULL is a no-op */
/* Schedule; returns the sequence number given to the event. */
uint64_t evq_push(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg);
#define EVQ_SEQ_LAST (UINT64_C(1) << 63)
#define EVQ_TYPE_BITS 10             /* the handler type's bits in an order word */
#define EVQ_TYPE_MASK ((UINT64_C(1) << EVQ_TYPE_BITS) - 1)
/* The same, ordered after every ordinary event at time t (FIFO among such
 * "last" events). */
uint64_t evq_push_last(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg);
/* The same, ordered before every ordinary event at time t (FIFO among such
 * "first" events): the class of the world's changes (docs/ecs-model.md,
 * "Simultaneous events"). */
uint64_t evq_push_first(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg);

/* Remove the earliest event into *ev; returns 0 when the queue is empty. */
int evq_pop(struct evq *q, struct event *ev);
/* Time of the earliest event, SIM_TIME_MAX when empty. */
sim_time_t evq_peek_time(const struct evq *q);
/* Take the sequence number the next push would get, for a key made by the
 * caller (evq_push_word). */
uint64_t evq_take_seq_checked(struct evq *q);
/* Whether the next number can be taken without the check (the bound on
 * numbers, 2^52, is checked once in 2^20): then *seq is it, taken. */
static inline int evq_take_seq_fast(struct evq *q, uint64_t *seq)
{
	if ((q->next_seq & 0xFFFFF) == 0)
		return 0;
	*seq = q->next_seq++;
	return 1;
}
static inline uint64_t evq_take_seq(struct evq *q)
{
	uint64_t seq;

	return evq_take_seq_fast(q, &seq) ? seq : evq_take_seq_checked(q);
}
/* The order word of (cls, seq): keys (t, cls, seq) compare as (t, word)
 * do. */
static inline uint64_t evq_word_plain(uint32_t cls, uint64_t seq);
static inline uint64_t evq_word(uint32_t cls, uint64_t seq)
{
	return evq_word_plain(cls, seq & ~EVQ_SEQ_LAST) | (seq & EVQ_SEQ_LAST ? UINT64_C(1) << 62 : 0);
}
/* evq_word of a number without EVQ_SEQ_LAST (class 0 or 1): the layout
 * written once, for a caller that knows it holds no "last" events. */
static inline uint64_t evq_word_plain(uint32_t cls, uint64_t seq)
{
	return (uint64_t)(cls != 0) << 63 | seq << EVQ_TYPE_BITS;
}

/* --- the engine's path (sim.c): a caller that never pushes a time before
 * the last one taken (its clock never goes back) may read and drop the
 * earliest event in place, and push with a word of its own making. */

/* Slot s, empty, given its first event: its bits set (m: its bitmap word
 * *b as read). */
static inline void evq_mark_word(struct evq *q, uint32_t s, uint64_t *b, uint64_t m)
{
	*b = m | UINT64_C(1) << (s & 63);
	if (m == 0) {
		/* the word's first slot: the summaries */
		q->b0s[s >> 12] |= UINT64_C(1) << (s >> 6 & 63);
	}
	if (s < q->cur)
		q->cur = s;
}
static inline void evq_mark(struct evq *q, uint32_t s)
{
	evq_mark_word(q, s, &q->b0[s >> 6], q->b0[s >> 6]);
}
/* Queue (t, word | type) (word from evq_word and a number taken with
 * evq_take_seq), any time, like evq_push. */
void evq_push_slow(struct evq *q, sim_time_t t, uint64_t w, void *target, uint64_t arg);
/* Item i (key and payload written) put in level-0 slot s, which holds
 * events. */
void evq_put_busy(struct evq *q, uint32_t s, uint32_t i);
static inline __attribute__((always_inline)) void evq_push_word(struct evq *q, sim_time_t t, uint64_t w,
								 void *target, uint64_t arg)
{
	uint32_t i = q->free_, s;
	uint64_t *b, m;
	struct evq_item *x;

	if (i == 0 || (uint64_t)t >> EVQ_BLOCK_BITS != q->cb)
		goto slow;
	/* a free item and a time in level 0's block: the item written first,
	 * so the key and payload are then dead and the link and the bitmaps
	 * need no registers the caller must save */
	s = (uint32_t)t & (EVQ_W0_N - 1);
	x = &q->pool[i];
	q->free_ = x->next;
	*x = (struct evq_item){ i, 0, w, target, arg };   /* its list's last: itself */
	/* the common case: an empty slot, told by its bit (the bitmap word is
	 * read to be set anyway; the slot is only written: its line is not
	 * waited for) */
	b = &q->b0[s >> 6];
	m = *b;
	if (m >> (s & 63) & 1) {
		evq_put_busy(q, s, i);
		return;
	}
	q->l0[s] = i;
	evq_mark_word(q, s, b, m);
	return;
slow:
	evq_push_slow(q, t, w, target, arg);
}

/* The earliest event, NULL when level 0 holds none (then evq_settle).
 * Valid until the next push or drop. */
static inline const struct evq_item *evq_first(const struct evq *q)
{
	return q->cur < EVQ_W0_N ? &q->pool[q->l0[q->cur]] : NULL;
}
/* The time of level-0 slot s (of level 0's block). */
static inline sim_time_t evq_slot_time(const struct evq *q, uint32_t s)
{
	return (sim_time_t)(q->cb << EVQ_BLOCK_BITS | s);
}
/* Level 0 empty: the next events moved into it when the earliest of them
 * is at or before `until`; 0 (nothing moved) when none is, or the queue is
 * empty. */
int evq_settle(struct evq *q, sim_time_t until);
void evq_next_slot(struct evq *q, uint32_t s);
/* The earliest event dropped, given as read by the caller: its slot s
 * (q->cur) and that slot's first item i at x (so nothing is read
 * twice). */
static inline void evq_drop_at(struct evq *q, uint32_t s, uint32_t i, struct evq_item *x)
{
	uint32_t nx = x->next;
	uint64_t m;

	q->l0[s] = nx;
	x->w = EVQ_W_FREE;               /* free (evq.c's hints) */
	{
		/* onto the free list, unless it is the arena's (freed all
		 * at once: evq.c); no branch, arena and pool items mix */
		uint32_t f = q->free_;

		x->next = f;
		q->free_ = i - q->ar_lo >= q->ar_cap ? i : f;
	}
	if (nx != 0) {
		q->pool[nx].tl = x->tl;  /* the list's last, kept by its first */
		return;
	}
	/* the slot emptied: the next one in its bitmap word (the word holds
	 * none before it: it was the first), else further */
	m = q->b0[s >> 6] &= ~(UINT64_C(1) << (s & 63));
	if (m)
		q->cur = (s & ~UINT32_C(63)) | (uint32_t)__builtin_ctzll(m);
	else
		evq_next_slot(q, s);
}
/* The earliest event (evq_first) dropped. */
static inline void evq_drop_first(struct evq *q)
{
	uint32_t s = q->cur, i = q->l0[s];

	evq_drop_at(q, s, i, &q->pool[i]);
}
/* The event of an item of time t as a handler sees it. */
static inline void evq_item_event(const struct evq_item *x, sim_time_t t, struct event *ev)
{
	ev->t = t;
	/* the number with the "last" flag on top: w << 1 has the flag in its
	 * top bit and the number (62 - EVQ_TYPE_BITS bits) below; shifted as
	 * a signed integer (GCC and Clang shift in copies of the top bit) the
	 * flag fills the bits above the number, of which one mask keeps the
	 * top one (3 operations, not 6) */
	ev->seq = (uint64_t)((int64_t)(x->w << 1) >> (EVQ_TYPE_BITS + 1)) &
		  (EVQ_SEQ_LAST | ((UINT64_C(1) << (62 - EVQ_TYPE_BITS)) - 1));
	ev->type = (uint32_t)(x->w & EVQ_TYPE_MASK);
	ev->cls = (uint32_t)(x->w >> 63);
	ev->target = x->target;
	ev->arg = x->arg;
}

/* Events in the queue: counted (a walk of the wheel's lists; not for a
 * hot path), so that a push or a pop keeps no count. */
size_t evq_size(const struct evq *q);

#endif
