/* sim/evq.c — 4-ary min-heap of events keyed by (t, cls, seq) (evq.h).
 * Invariant: every node's key is <= the keys of its (up to 4) children.
 *
 * A node is a 16-byte key, the time and one 64-bit order word, and a
 * 16-byte payload (target, arg) at the same index of a second array, so
 * that the compares of a sift read only keys (a node's 4 children's keys
 * are one cache line).  The order word packs, from the top bit down, the
 * class (1 bit), the "last" flag (1 bit), the sequence number
 * (EVQ_SEQ_BITS bits) and the handler type (EVQ_TYPE_BITS bits).  Sequence
 * numbers are unique, so the type in the low bits never decides an order,
 * and (t, word) compares as (t, cls, seq) does: as one 128-bit integer,
 * which the least of 4 children takes without a branch.  A pop moves the
 * hole to a leaf along the least children and lifts the heap's last node
 * from there (the last node is usually late: it seldom rises), one compare
 * a level fewer than sifting it down from the root. */
#include "evq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"


#define EVQ_SEQ_BITS (62 - EVQ_TYPE_BITS)
#define EVQ_SEQ_MASK ((UINT64_C(1) << EVQ_SEQ_BITS) - 1)
#define EVQ_TYPE_MASK ((UINT64_C(1) << EVQ_TYPE_BITS) - 1)

/* struct evq (evq.h): k is kbase + 3 and p is pbase + 3, both bases
 * aligned to 64 bytes: the 4 children of node i, k[4i+1..4i+4], are
 * kbase[4i+4..4i+7], one whole cache line (and so are their payloads). */

/* A key as one signed 128-bit integer: the time above, the order word
 * below (GCC's __int128; the conversion from unsigned wraps). */
__extension__ typedef __int128 key128;

static inline key128 key(const struct evq_key *a)
{
	return (key128)((unsigned __int128)(uint64_t)a->t << 64 | a->w);
}

static inline int before(const struct evq_key *a, const struct evq_key *b)
{
	return key(a) < key(b);
}

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
	free(q->kbase);
	free(q->pbase);
	free(q);
}

/* A 64-byte aligned array of cap + 3 entries of `size` bytes, the first
 * n of the old one's (from its index 3) copied to its index 3. */
static void *grow(void *old, size_t size, size_t cap, size_t n)
{
	char *b = aligned_alloc(64, (cap + 4) * size);   /* a multiple of 64 */

	if (!b) {
		fprintf(stderr, "ecsim: fatal: out of memory (%zu bytes)\n", (cap + 4) * size);
		exit(1);
	}
	if (n)
		memcpy(b + 3 * size, (char *)old + 3 * size, n * size);
	free(old);
	return b;
}

static uint64_t push(struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq, uint32_t type,
		     void *target, uint64_t arg)
{
	struct evq_key ev = { t, word(cls, seq) | type };
	struct evq_key *k;
	struct evq_pay *p;
	size_t i;

	if (type > EVQ_TYPE_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u out of range\n", type);
		abort();
	}
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;

		q->kbase = grow(q->kbase, sizeof *q->k, cap, q->n);
		q->pbase = grow(q->pbase, sizeof *q->p, cap, q->n);
		q->k = q->kbase + 3;
		q->p = q->pbase + 3;
		q->cap = cap;
	}
	k = q->k;
	p = q->p;
	i = q->n++;
	while (i > 0) {
		size_t up = (i - 1) / 4;

		if (!before(&ev, &k[up]))
			break;
		k[i] = k[up];
		p[i] = p[up];
		i = up;
	}
	k[i] = ev;
	p[i] = (struct evq_pay){ target, arg };
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
	struct evq_key *k = q->k, last;
	struct evq_pay *p = q->p, lastp;
	size_t i = 0, n;

	if (q->n == 0)
		return 0;
	out->t = k[0].t;
	out->cls = (uint32_t)(k[0].w >> 63);
	out->seq = (k[0].w >> EVQ_TYPE_BITS & EVQ_SEQ_MASK) | (k[0].w >> 62 & 1 ? EVQ_SEQ_LAST : 0);
	out->type = (uint32_t)(k[0].w & EVQ_TYPE_MASK);
	out->target = p[0].target;
	out->arg = p[0].arg;
	n = --q->n;
	if (n == 0)
		return 1;
	last = k[n];
	lastp = p[n];
	/* the hole down to a leaf, along the least child */
	for (;;) {
		size_t c = 4 * i + 1, best = c;

		if (c + 3 < n) {
			/* the least of the 4, by arithmetic (no branch) */
			size_t b01 = c + (size_t)before(&k[c + 1], &k[c]);
			size_t b23 = c + 2 + (size_t)before(&k[c + 3], &k[c + 2]);

			best = before(&k[b23], &k[b01]) ? b23 : b01;
		} else if (c < n) {
			for (size_t j = c + 1; j < n; j++)
				if (before(&k[j], &k[best]))
					best = j;
		} else {
			break;
		}
		k[i] = k[best];
		p[i] = p[best];
		i = best;
	}
	/* the last node up from the hole */
	while (i > 0) {
		size_t up = (i - 1) / 4;

		if (!before(&last, &k[up]))
			break;
		k[i] = k[up];
		p[i] = p[up];
		i = up;
	}
	k[i] = last;
	p[i] = lastp;
	return 1;
}

sim_time_t evq_peek_time(const struct evq *q)
{
	return q->n ? q->k[0].t : SIM_TIME_MAX;
}

uint64_t evq_take_seq_checked(struct evq *q)
{
	(void)word(0, q->next_seq);   /* the bound on numbers, checked */
	return q->next_seq++;
}

int evq_before_top(const struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq)
{
	struct evq_key a = { t, word(cls, seq) };

	return q->n == 0 || before(&a, &q->k[0]);
}

size_t evq_size(const struct evq *q)
{
	return q->n;
}
