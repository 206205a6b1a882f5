/* sim/sim.c — clock, future-event list and handler dispatch. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

/* 32 bytes: an event's type indexes the table with a shift (the names
 * apart, read only by sim_stuck) */
struct handler {
	sim_handler fn;
	void *ctx;
	uint64_t wbase;            /* its events' order word but the number: class and type */
	sim_ghost_fn ghost;        /* a held place's step (sim_held_after, sim_ghost_after), else NULL */
};

/* Every future event is in the queue (evq.h), keyed (time, class,
 * number): a timing wheel whose common push and pop inline here. */
struct sim {
	struct evq *q;
	sim_time_t now;
	uint64_t n_events;
	uint64_t n_held;           /* held places run (sim_held_run) */
	int stop;
	uint32_t lim;              /* sim_run: the first level-0 slot it may not take; 0 when a stop is asked or the lane (or next) holds events */
	struct handler *h;
	size_t n_h, cap_h;
	sim_hint_fn *hint;         /* per type (sim_on_hint), NULL when none */
	size_t cap_hint;
	const char **names;        /* per type */
	size_t cap_names;
	void (*observer)(void *ctx);
	void *observer_ctx;
	/* the instant's lane: events scheduled for now by a running handler,
	 * a ring buffer run before the queue (sim.h) */
	struct event *lane;
	size_t lane_head, lane_n, lane_cap;
	/* the events for now that wait for the lane to drain (sim_at_next):
	 * a ring buffer run after the lane, before the queue */
	struct event *next;
	size_t next_head, next_n, next_cap;
	int dispatching;
	/* the bound on events at one instant (sim_limit_instant) */
	uint64_t instant_fresh;    /* the bound less 1 (UINT64_MAX for none): instant_left at an instant's first */
	uint64_t instant_left;     /* events still allowed at instant_t (a count down) */
	sim_time_t instant_t;
	uint32_t stuck_type;
	int stuck;
	struct ghost_type {        /* the handler types of held places, few */
		sim_ghost_fn fn;
		void *ctx;
		uint32_t type;
	} *ghost_types;
	size_t n_gt, cap_gt;
};

struct sim *sim_new(void)
{
	struct sim *s = xcalloc(1, sizeof *s);

	s->q = evq_new();
	s->instant_fresh = UINT64_MAX - 1;
	s->instant_left = UINT64_MAX;
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	evq_free(s->q);
	free(s->ghost_types);
	free(s->lane);
	free(s->next);
	free(s->h);
	free(s->hint);
	free(s->names);
	free(s);
}

uint32_t sim_on(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	if (s->n_h > EVQ_TYPE_MASK) {
		fprintf(stderr, "ecsim: fatal: internal: more than %llu event types\n",
			(unsigned long long)EVQ_TYPE_MASK + 1);
		abort();
	}
	XGROW(s->h, s->cap_h, s->n_h + 1);
	XGROW(s->hint, s->cap_hint, s->n_h + 1);
	s->hint[s->n_h] = NULL;
	XGROW(s->names, s->cap_names, s->n_h + 1);
	s->h[s->n_h] = (struct handler){ fn, ctx, evq_word_plain(1, 0) | s->n_h, NULL };
	s->names[s->n_h] = name;
	return (uint32_t)s->n_h++;
}

void sim_on_hint(struct sim *s, uint32_t type, sim_hint_fn fn)
{
	if (type >= s->n_h)
		abort();
	s->hint[type] = fn;
}

uint32_t sim_on_world(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	uint32_t type = sim_on(s, name, fn, ctx);

	s->h[type].wbase = evq_word_plain(0, 0) | type;
	return type;
}

/* A full ring buffer `buf` of `n` entries of `size` bytes from `*head`
 * (`*cap` of them): returned doubled (64 to start), its entries moved to
 * the front; `buf` is freed.  A capacity is a power of 2: an index wraps
 * with a mask. */
static void *ring_grow(void *buf, size_t size, size_t *cap, size_t *head, size_t n)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	char *nb = xmalloc(ncap * size);

	for (size_t i = 0; i < n; i++)
		memcpy(nb + i * size, (char *)buf + ((*head + i) & (*cap - 1)) * size, size);
	free(buf);
	*cap = ncap;
	*head = 0;
	return nb;
}

static void lane_push(struct sim *s, uint32_t type, void *target, uint64_t arg)
{
	if (s->lane_n == s->lane_cap)
		s->lane = ring_grow(s->lane, sizeof *s->lane, &s->lane_cap, &s->lane_head, s->lane_n);
	s->lane[(s->lane_head + s->lane_n++) & (s->lane_cap - 1)] =
		(struct event){ s->now, 0, type, 1, target, arg };
	s->lim = 0;
}

/* An event for now after the lane's (sim_at_next). */
static void next_push(struct sim *s, uint32_t type, void *target, uint64_t arg)
{
	if (s->next_n == s->next_cap)
		s->next = ring_grow(s->next, sizeof *s->next, &s->next_cap, &s->next_head, s->next_n);
	s->next[(s->next_head + s->next_n++) & (s->next_cap - 1)] =
		(struct event){ s->now, 0, type, 1, target, arg };
	s->lim = 0;
}

static _Noreturn void bad_time(uint32_t type, sim_time_t t, sim_time_t now)
{
	fprintf(stderr, "ecsim: fatal: internal: event type %u at %lld before now %lld\n",
		type, (long long)t, (long long)now);
	abort();
}

/* sim_at past its common case (below): the checks, the instant's lane, a
 * sequence number that must be checked. */
static __attribute__((noinline)) void sim_at_rest(struct sim *s, sim_time_t t, uint32_t type,
						   void *target, uint64_t arg)
{
	if (t < s->now || type >= s->n_h)
		bad_time(type, t, s->now);
	if (t == s->now && s->dispatching) {
		lane_push(s, type, target, arg);
		return;
	}
	evq_push_word(s->q, t, s->h[type].wbase | evq_take_seq(s->q) << EVQ_TYPE_BITS, target, arg);
}

/* sim_at, inlined in sim_after and sim_held_after: the common case (a
 * future time, a known type, a number that needs no check) queues with no
 * call (so nothing to save) */
static inline void at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	uint64_t seq;

	if (t > s->now && type < s->n_h && evq_take_seq_fast(s->q, &seq)) {
		evq_push_word(s->q, t, s->h[type].wbase | seq << EVQ_TYPE_BITS, target, arg);
		return;
	}
	sim_at_rest(s, t, type, target, arg);
}

void sim_at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	at(s, t, type, target, arg);
}

void sim_at_next(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	if (t == s->now && s->dispatching && type < s->n_h) {
		next_push(s, type, target, arg);
		return;
	}
	at(s, t, type, target, arg);
}

void sim_at_last(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	if (t < s->now || type >= s->n_h)
		bad_time(type, t, s->now);
	evq_push_last(s->q, t, type, target, arg);
}

void sim_after(struct sim *s, sim_time_t delay, uint32_t type, void *target, uint64_t arg)
{
	uint64_t seq;

	/* at()'s common case, its time test as delay > 0 */
	if (delay > 0 && type < s->n_h && evq_take_seq_fast(s->q, &seq)) {
		evq_push_word(s->q, s->now + delay, s->h[type].wbase | seq << EVQ_TYPE_BITS, target, arg);
		return;
	}
	sim_at_rest(s, s->now + (delay > 0 ? delay : 0), type, target, arg);
}

sim_time_t sim_now(const struct sim *s)
{
	return s->now;
}

/* The handler type of held places of (fn, ctx): a world type (their key's
 * class), registered at the first use. */
uint32_t sim_on_held(struct sim *s, sim_ghost_fn fn, void *ctx)
{
	uint32_t type;

	for (size_t i = 0; i < s->n_gt; i++)
		if (s->ghost_types[i].fn == fn && s->ghost_types[i].ctx == ctx)
			return s->ghost_types[i].type;
	type = sim_on_world(s, "held place", NULL, ctx);
	s->h[type].ghost = fn;
	XGROW(s->ghost_types, s->cap_gt, s->n_gt + 1);
	s->ghost_types[s->n_gt++] = (struct ghost_type){ fn, ctx, type };
	return type;
}

/* sim_held_after past its common case: the checks, a number that must be
 * checked. */
static __attribute__((noinline)) void held_rest(struct sim *s, sim_time_t delay, uint32_t type, uint64_t arg)
{
	if (delay <= 0 || type >= s->n_h || !s->h[type].ghost) {
		fprintf(stderr, "ecsim: fatal: internal: a held place with delay %lld, type %u\n",
			(long long)delay, type);
		abort();
	}
	evq_push_word(s->q, s->now + delay, s->h[type].wbase | evq_take_seq(s->q) << EVQ_TYPE_BITS, NULL,
		      arg);
}

void sim_held_after(struct sim *s, sim_time_t delay, uint32_t type, uint64_t arg)
{
	uint64_t seq;

	/* queued as an event of a world type would be, with the key such an
	 * event would get; sim_run calls the step instead of dispatching it
	 * (the checks are at()'s: a future time, a known type; and a
	 * held-place type); the common case makes no call */
	if (delay > 0 && type < s->n_h && s->h[type].ghost && evq_take_seq_fast(s->q, &seq)) {
		evq_push_word(s->q, s->now + delay, s->h[type].wbase | seq << EVQ_TYPE_BITS, NULL, arg);
		return;
	}
	held_rest(s, delay, type, arg);
}

void sim_ghost_after(struct sim *s, sim_time_t delay, sim_ghost_fn fn, void *ctx, uint64_t arg)
{
	sim_held_after(s, delay, sim_on_held(s, fn, ctx), arg);
}

int sim_lane_idle(const struct sim *s)
{
	return s->dispatching && s->lane_n == 0 && !s->stop;
}

int sim_dispatching(const struct sim *s)
{
	return s->dispatching;
}

/* Whether the event of time t (type `type`) may run under the bound on
 * events at one instant (counted if so); else the run stops for good. */
static inline int instant_allows(struct sim *s, sim_time_t t, uint32_t type)
{
	if (t != s->instant_t) {
		/* the instant's first (nearly every event): this one counted */
		s->instant_t = t;
		s->instant_left = s->instant_fresh;
		return 1;
	}
	if (s->instant_left == 0) {
		/* not run, and left where it is: whoever frees the pending
		 * events at the end still sees it */
		s->stuck = 1;
		s->stop = 1;
		s->stuck_type = type;
		return 0;
	}
	s->instant_left--;
	return 1;
}

/* The first slot of level 0's block whose time is past `until`: EVQ_W0_N
 * when none is, 0 when all are. */
static inline uint32_t slot_limit(const struct evq *q, sim_time_t until)
{
	sim_time_t cbt = (sim_time_t)(q->cb << EVQ_BLOCK_BITS);

	if (until < cbt)
		return 0;
	if (until - cbt >= (sim_time_t)EVQ_W0_N - 1)
		return EVQ_W0_N;
	return (uint32_t)(until - cbt) + 1;
}

/* The queue's next event (level 0's first, when level 0 holds one): its
 * type's hint, if any, called with its argument (sim_on_hint); and the
 * item of the event after it (the next in its slot, or the first of the
 * next slot of its bitmap word) asked for, so that the next call finds
 * the item it reads in the cache (an event's item is mostly cold: it was
 * written when the event was pushed, or when its block settled into the
 * arena (evq.c), many events before it runs). */
static inline void hint_next(const struct sim *s, const struct evq *q)
{
	uint32_t c = q->cur, ty;
	const struct evq_item *y;
	sim_hint_fn f;

	if (c >= EVQ_W0_N)
		return;
	y = &q->pool[q->l0[c]];
	if (y->next != 0) {
		__builtin_prefetch(&q->pool[y->next]);
	} else {
		uint64_t m = q->b0[c >> 6] & (~UINT64_C(1) << (c & 63));

		if (m)
			__builtin_prefetch(&q->pool[q->l0[(c & ~UINT32_C(63)) | (uint32_t)__builtin_ctzll(m)]]);
	}
	ty = (uint32_t)(y->w & EVQ_TYPE_MASK);
	f = s->hint[ty];
	if (f)
		f(s->h[ty].ctx, y->arg);
}

uint64_t sim_run(struct sim *s, sim_time_t until)
{
	uint64_t n = 0, nh = 0;
	struct event ev;
	struct evq *q = s->q;
	int was = s->dispatching;  /* (1 in a run called from a handler) */

	s->stop = s->stuck;        /* a run the bound stopped stays stopped */
	/* a handler or a held place's step runs only inside this loop, and
	 * nothing else does but the observer (which sees the flag clear, as
	 * before any run): set once, not around every call */
	s->dispatching = 1;
	s->lim = 0;
	for (;;) {
		const struct handler *h;
		/* the queue's earliest, read in place once: its slot, item, key and
		 * payload; one compare tells it may run (lim: the slot of
		 * `until` and after, and 0 for a stop or the lane's events) */
		uint32_t c = q->cur, i;
		struct evq_item *x;
		sim_time_t t;
		uint64_t w;

		if (c >= s->lim) {
			/* rare: a stop asked, the lane's events (run before
			 * the queue's), level 0 emptied or `until` reached */
			if (s->stop)
				break;
			if (s->lane_n != 0) {
				ev = s->lane[s->lane_head];
				h = &s->h[ev.type];
				if (h->ghost) {
					/* (a held place is never for now: none come here) */
					s->lane_head = (s->lane_head + 1) & (s->lane_cap - 1);
					s->lane_n--;
					nh++;
					h->ghost(s, h->ctx, ev.arg);
					continue;
				}
				if (!instant_allows(s, ev.t, ev.type))
					break;
				s->lane_head = (s->lane_head + 1) & (s->lane_cap - 1);
				s->lane_n--;
				goto run;
			}
			if (s->next_n != 0) {
				/* the lane drained: what waited for it (sim_at_next;
				 * never a held place) */
				ev = s->next[s->next_head];
				h = &s->h[ev.type];
				if (!instant_allows(s, ev.t, ev.type))
					break;
				s->next_head = (s->next_head + 1) & (s->next_cap - 1);
				s->next_n--;
				goto run;
			}
			if (c >= EVQ_W0_N) {
				if (!evq_settle(q, until))
					break;
				c = q->cur;
			}
			s->lim = slot_limit(q, until);
			if (c >= s->lim)
				break;
		}
		i = q->l0[c];
		x = &q->pool[i];
		t = evq_slot_time(q, c);
		w = x->w;
		h = &s->h[w & EVQ_TYPE_MASK];
		if (h->ghost) {
			/* a held place: its step at its place, not an event
			 * (not counted, not observed, not bounded by the
			 * instant's limit) */
			uint64_t arg = x->arg;

			evq_drop_at(q, c, i, x);
			hint_next(s, q);
			s->now = t;
			nh++;
			h->ghost(s, h->ctx, arg);
			continue;
		}
		if (!instant_allows(s, t, (uint32_t)(w & EVQ_TYPE_MASK)))
			break;
		evq_item_event(x, t, &ev);
		evq_drop_at(q, c, i, x);
		hint_next(s, q);
	run:
		s->now = ev.t;
		h->fn(s, h->ctx, &ev);
		if (s->observer) {
			s->dispatching = 0;
			s->observer(s->observer_ctx);
			s->dispatching = 1;
		}
		n++;
	}
	s->dispatching = was;
	s->lim = 0;                /* a run around this one looks again */
	s->n_events += n;
	s->n_held += nh;
	return n;
}

void sim_stop(struct sim *s)
{
	s->stop = 1;
	s->lim = 0;
}

void sim_observe(struct sim *s, void (*fn)(void *ctx), void *ctx)
{
	s->observer = fn;
	s->observer_ctx = ctx;
}

uint64_t sim_events(const struct sim *s)
{
	return s->n_events;
}

uint64_t sim_held_run(const struct sim *s)
{
	return s->n_held;
}

size_t sim_pending(const struct sim *s)
{
	return evq_size(s->q) + s->lane_n + s->next_n;
}

size_t sim_lane_pending(const struct sim *s)
{
	return s->lane_n;
}

void sim_set_now(struct sim *s, sim_time_t t)
{
	if (t > s->now)
		s->now = t;
}

void sim_limit_instant(struct sim *s, uint64_t n)
{
	/* the events already run at instant_t count against the new bound */
	uint64_t used = s->instant_fresh + 1 - s->instant_left;

	s->instant_fresh = (n ? n : UINT64_MAX) - 1;
	s->instant_left = n ? (n > used ? n - used : 0) : UINT64_MAX - used;
}

int sim_stuck(const struct sim *s, sim_time_t *t, const char **event)
{
	if (!s->stuck)
		return 0;
	if (t)
		*t = s->instant_t;
	if (event)
		*event = s->names[s->stuck_type];
	return 1;
}
