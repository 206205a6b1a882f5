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
 * Implemented as a timing wheel of 1-ms slots for the near future (the
 * next 2^28 ms from the wheel's block) with a 4-ary heap for the rest
 * (evq.c).  Handler types must be below 1024 and at most 2^52 events may
 * be pushed in one queue's life (both checked: abort).
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

/* The queue (evq.c); its layout is here only so that evq_top and
 * evq_take_seq inline (they run for every event): use the functions. */
struct evq_node {
	sim_time_t t;
	uint64_t w;                      /* cls | last | seq | type (evq.c) */
	void *target;
	uint64_t arg;
};

struct evq_wheel;

struct evq {
	struct evq_node *base, *h;       /* the heap: what the wheel does not take */
	size_t n, cap;                   /* events in the heap */
	uint64_t next_seq;
	struct evq_wheel *wh;            /* the timing wheel (evq.c) */
	size_t len;                      /* events in all */
	/* the earliest key of all as (time, order word with the type),
	 * (SIM_TIME_MAX, UINT64_MAX) when empty; top_heap: it is the heap's */
	sim_time_t top_t;
	uint64_t top_w;
	int top_heap;
};

struct evq *evq_new(void);
void evq_free(struct evq *q);        /* NULL is a no-op */
/* Schedule; returns the sequence number given to the event. */
uint64_t evq_push(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg);
#define EVQ_SEQ_LAST (UINT64_C(1) << 63)
#define EVQ_TYPE_BITS 10             /* the handler type's bits in an order word */
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
/* Take the sequence number the next push would get, for an event kept
 * beside the queue (sim.c's FIFOs) with the key the queue would give it. */
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
/* Whether key (t, cls, seq) comes before the earliest event's (1 when the
 * queue is empty). */
int evq_before_top(const struct evq *q, sim_time_t t, uint32_t cls, uint64_t seq);
/* The order word of (cls, seq): keys (t, cls, seq) compare as (t, word)
 * do, so a caller that keeps events of its own beside the queue compares
 * them with its earliest one in two integer compares (evq_top). */
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
/* The key of the earliest event as (time, evq_word); 0 when the queue is
 * empty. */
static inline int evq_top(const struct evq *q, sim_time_t *t, uint64_t *word)
{
	if (q->len == 0)
		return 0;
	*t = q->top_t;
	*word = q->top_w & ~((UINT64_C(1) << EVQ_TYPE_BITS) - 1);   /* without the type */
	return 1;
}
size_t evq_size(const struct evq *q);

#endif
