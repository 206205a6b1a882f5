/* sim/evq.c — 4-ary min-heap of events keyed by (t, cls, seq) (evq.h).
 * Invariant: every node's key is <= the keys of its (up to 4) children.
 *
 * A node is 32 bytes: the time, one 64-bit order word and the payload.  The
 * order word packs, from the top bit down, the class (1 bit), the "last"
 * flag (1 bit), the sequence number (EVQ_SEQ_BITS bits) and the handler
 * type (EVQ_TYPE_BITS bits).  Sequence numbers are unique, so the type in
 * the low bits never decides an order, and (t, word) compares as
 * (t, cls, seq) does: as one 128-bit integer.  A pop moves the hole to
 * a leaf along the least children and lifts the heap's last node from
 * there (the last node is usually late: it seldom rises), one compare a
 * level fewer than sifting it down from the root. */
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

struct evq *evq_new(void)
{
	return xcalloc(1, sizeof(struct evq));
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	free(q->base);
	free(q);
}

static uint64_t push(struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq, uint32_t type,
		     void *target, uint64_t arg)
{
	struct node ev = { t, word(cls, seq) | type, target, arg };
	struct node *h;
	size_t i;

	if (type > EVQ_TYPE_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u out of range\n", type);
		abort();
	}
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
	struct node *h = q->h, last;
	size_t i = 0, n;

	if (q->n == 0)
		return 0;
	out->t = h[0].t;
	out->cls = (uint32_t)(h[0].w >> 63);
	out->seq = (h[0].w >> EVQ_TYPE_BITS & EVQ_SEQ_MASK) | (h[0].w >> 62 & 1 ? EVQ_SEQ_LAST : 0);
	out->type = (uint32_t)(h[0].w & EVQ_TYPE_MASK);
	out->target = h[0].target;
	out->arg = h[0].arg;
	n = --q->n;
	if (n == 0)
		return 1;
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
	return 1;
}

sim_time_t evq_peek_time(const struct evq *q)
{
	return q->n ? q->h[0].t : SIM_TIME_MAX;
}

uint64_t evq_take_seq_checked(struct evq *q)
{
	(void)word(0, q->next_seq);   /* the bound on numbers, checked */
	return q->next_seq++;
}

int evq_before_top(const struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq)
{
	struct node a = { t, word(cls, seq), NULL, 0 };

	return q->n == 0 || before(&a, &q->h[0]);
}

size_t evq_size(const struct evq *q)
{
	return q->n;
}
