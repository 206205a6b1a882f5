/* sim/sim.c — clock, future-event list and handler dispatch. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

struct handler {
	const char *name;
	sim_handler fn;
	void *ctx;
	uint32_t cls;              /* its events' class: 0 a world type, 1 ordinary */
	sim_time_t last_delay;     /* the delay of its last future event */
	uint32_t streak;           /* how many in a row had that delay */
	sim_time_t last_t;         /* the time of its last future event */
	uint32_t mono;             /* how many in a row were no earlier than the one before */
	int fifo;                  /* the FIFO its last fixed-delay event went to, EF_MAX (none) */
	int mono_fifo;             /* the FIFO of its own (fifo_mono), -1 */
	sim_ghost_fn ghost;        /* a held place's step (sim_held_after, sim_ghost_after), else NULL */
};

/* Future events of one (delay, class): scheduled at a clock that never goes
 * back, with growing numbers, they come in key order, so a FIFO keeps them
 * sorted and the heap need not.  Created for a handler type scheduled
 * EF_STREAK times in a row with one delay (a fixed latency); at most EF_MAX;
 * an empty one is taken over by another delay.  A type whose events come
 * in time order (a trace's rows: no fixed delay) gets a FIFO of its own
 * (delay -1 - type) that takes each event no earlier than its last one.
 * A type remembers its FIFOs (struct handler's fifo, mono_fifo): sim_at
 * tries the fixed-delay one first, with no scan.  Which events go to a FIFO
 * changes nothing but the cost: every key (time, class, number) is the one
 * the heap would have used. */
#define EF_MAX 16
#define EF_STREAK 4
#define EF_NONE EF_MAX
struct event_fifo {
	sim_time_t delay;
	uint32_t cls;
	struct event *e;
	size_t head, n, cap;
};

/* The key of a FIFO's first event as (time, evq_word).  The FIFOs that
 * hold events are kept in a list sorted by it (struct sim's ef_first and
 * ef_next, the least first): a pop moves only the FIFO it took from, past
 * the few whose first key is smaller than its next one, instead of
 * comparing every FIFO's. */
struct fifo_key {
	sim_time_t t;
	uint64_t w;
};

static inline int fkey_before(const struct fifo_key *a, sim_time_t t, uint64_t w)
{
	return a->t < t || (a->t == t && a->w < w);
}

struct sim {
	struct evq *q;
	/* the heap's earliest key as (time, evq_word), kept at every push and
	 * pop (heap_top); (SIM_TIME_MAX, UINT64_MAX) when it is empty: after
	 * every FIFO's key */
	sim_time_t ht;
	uint64_t hw;
	sim_time_t now;
	uint64_t n_events;
	int stop;
	struct handler *h;
	size_t n_h, cap_h;
	void (*observer)(void *ctx);
	void *observer_ctx;
	/* the instant's lane: events scheduled for now by a running handler,
	 * a ring buffer run before the queue (sim.h) */
	struct event *lane;
	size_t lane_head, lane_n, lane_cap;
	int dispatching;
	/* the bound on events at one instant (sim_limit_instant) */
	uint64_t instant_max;
	uint64_t instant_left;     /* events still allowed at instant_t (a count down: UINT64_MAX unbounded) */
	sim_time_t instant_t;
	uint32_t stuck_type;
	int stuck;
	struct ghost_type {        /* the handler types of held places, few */
		sim_ghost_fn fn;
		void *ctx;
		uint32_t type;
	} *ghost_types;
	size_t n_gt, cap_gt;
	/* ef[EF_MAX]: no FIFO, the one of a type with none (its delay
	 * matches none), so sim_at's common case needs no test for none */
	struct event_fifo ef[EF_MAX + 1];
	struct fifo_key ek[EF_MAX];   /* ef[i]'s first key, while it holds events */
	uint8_t ef_first;          /* the FIFO with the least first key, EF_NONE when all are empty */
	uint8_t ef_next[EF_MAX];   /* the next FIFO by first key, EF_NONE */
	size_t n_ef, n_efe;        /* FIFOs in use, events in them */
};

struct sim *sim_new(void)
{
	struct sim *s = xcalloc(1, sizeof *s);

	s->q = evq_new();
	s->ht = SIM_TIME_MAX;
	s->hw = UINT64_MAX;
	s->ef_first = EF_NONE;
	s->ef[EF_MAX].delay = INT64_MIN;
	s->instant_left = UINT64_MAX;
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	evq_free(s->q);
	free(s->ghost_types);
	for (size_t i = 0; i < s->n_ef; i++)
		free(s->ef[i].e);
	free(s->lane);
	free(s->h);
	free(s);
}

uint32_t sim_on(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	XGROW(s->h, s->cap_h, s->n_h + 1);
	s->h[s->n_h] = (struct handler){ name, fn, ctx, 1, -1, 0, -1, 0, EF_MAX, -1, NULL };
	return (uint32_t)s->n_h++;
}

uint32_t sim_on_world(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	uint32_t type = sim_on(s, name, fn, ctx);

	s->h[type].cls = 0;
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
}

/* spare (an empty FIFO found by the caller's scan), else a new one while
 * fewer than EF_MAX exist, given to (delay, cls); NULL when none is free. */
static struct event_fifo *fifo_claim(struct sim *s, struct event_fifo *spare, sim_time_t delay,
				     uint32_t cls)
{
	if (!spare && s->n_ef < EF_MAX) {
		spare = &s->ef[s->n_ef++];
	} else if (spare) {
		/* an empty FIFO taken over (rare): a type that remembers it
		 * forgets it, so a remembered fixed-delay FIFO always has the
		 * type's class (sim_at's common case does not compare it) */
		int i = (int)(spare - s->ef);

		for (size_t k = 0; k < s->n_h; k++) {
			if (s->h[k].fifo == i)
				s->h[k].fifo = EF_MAX;
			if (s->h[k].mono_fifo == i)
				s->h[k].mono_fifo = -1;
		}
	}
	if (spare) {
		spare->delay = delay;
		spare->cls = cls;
	}
	return spare;
}

/* The FIFO for future events of (delay, cls), NULL when the type has not
 * (yet) shown a fixed delay or no FIFO is free. */
static struct event_fifo *fifo_for(struct sim *s, struct handler *h, sim_time_t delay, uint32_t cls)
{
	struct event_fifo *spare = NULL;

	if (h->last_delay != delay) {
		h->last_delay = delay;
		h->streak = 0;
	}
	if (h->streak < EF_STREAK) {
		h->streak++;
		return NULL;
	}
	for (size_t i = 0; i < s->n_ef; i++) {
		struct event_fifo *f = &s->ef[i];

		if (f->delay == delay && f->cls == cls) {
			h->fifo = (int)i;
			return f;
		}
		if (!spare && f->n == 0)
			spare = f;
	}
	spare = fifo_claim(s, spare, delay, cls);
	if (spare)
		h->fifo = (int)(spare - s->ef);
	return spare;
}

/* The FIFO of the type's own, for an event at t no earlier than its last
 * one, after EF_STREAK such events in a row; else NULL. */
static struct event_fifo *fifo_mono(struct sim *s, struct handler *h, uint32_t type,
				    sim_time_t t, uint32_t cls)
{
	sim_time_t key = -1 - (sim_time_t)type;
	struct event_fifo *spare = NULL, *f;

	if (t >= h->last_t) {
		if (h->mono < EF_STREAK)
			h->mono++;
	} else {
		h->mono = 0;
	}
	h->last_t = t;
	if (h->mono < EF_STREAK)
		return NULL;
	if (h->mono_fifo < 0 || s->ef[h->mono_fifo].delay != key) {
		/* none yet, or taken over by another delay while empty */
		for (size_t i = 0; i < s->n_ef && !spare; i++)
			if (s->ef[i].n == 0)
				spare = &s->ef[i];
		if (!(spare = fifo_claim(s, spare, key, cls)))
			return NULL;
		h->mono_fifo = (int)(spare - s->ef);
	}
	f = &s->ef[h->mono_fifo];
	if (f->n && f->e[(f->head + f->n - 1) & (f->cap - 1)].t > t)
		return NULL;
	return f;
}

/* FIFO i, not in the sorted list, put in it by its first key. */
static inline void fifo_sort_in(struct sim *s, uint8_t i)
{
	const struct fifo_key *k = &s->ek[i];
	uint8_t *at = &s->ef_first;

	while (*at != EF_NONE && fkey_before(&s->ek[*at], k->t, k->w))
		at = &s->ef_next[*at];
	s->ef_next[i] = *at;
	*at = i;
}

static inline void fifo_push(struct sim *s, struct event_fifo *f, sim_time_t t, uint32_t type,
			     void *target, uint64_t arg)
{
	uint64_t seq = evq_take_seq(s->q);

	if (f->n == f->cap)
		f->e = ring_grow(f->e, sizeof *f->e, &f->cap, &f->head, f->n);
	f->e[(f->head + f->n++) & (f->cap - 1)] = (struct event){ t, seq, type, f->cls, target, arg };
	s->n_efe++;
	if (f->n == 1) {
		uint8_t i = (uint8_t)(f - s->ef);

		s->ek[i] = (struct fifo_key){ t, evq_word_plain(f->cls, seq) };
		fifo_sort_in(s, i);
	}
}

/* The first event of the FIFO with the least first key dropped (read by
 * the caller, or copied by fifo_pop); the FIFO sorted in again by its next
 * key, unless empty now. */
static inline void fifo_drop(struct sim *s)
{
	uint8_t i = s->ef_first;
	struct event_fifo *f = &s->ef[i];
	const struct event *next;

	f->head = (f->head + 1) & (f->cap - 1);
	s->n_efe--;
	s->ef_first = s->ef_next[i];
	if (--f->n == 0)
		return;
	next = &f->e[f->head];
	s->ek[i] = (struct fifo_key){ next->t, evq_word_plain(next->cls, next->seq) };
	fifo_sort_in(s, i);
}

/* The first event of the FIFO with the least first key, taken. */
static inline void fifo_pop(struct sim *s, struct event *ev)
{
	const struct event_fifo *f = &s->ef[s->ef_first];

	*ev = f->e[f->head];
	fifo_drop(s);
}

/* The heap's earliest key noted after a push or pop (struct sim's ht, hw). */
static inline void heap_top(struct sim *s)
{
	if (!evq_top(s->q, &s->ht, &s->hw)) {
		s->ht = SIM_TIME_MAX;
		s->hw = UINT64_MAX;
	}
}

static _Noreturn void bad_time(uint32_t type, sim_time_t t, sim_time_t now)
{
	fprintf(stderr, "ecsim: fatal: internal: event type %u at %lld before now %lld\n",
		type, (long long)t, (long long)now);
	abort();
}

/* sim_at's queueing past the common case: a FIFO found (or claimed) for
 * the event, else the heap. */
static void queue(struct sim *s, struct handler *h, sim_time_t t, uint32_t type, void *target,
		  uint64_t arg)
{
	struct event_fifo *f;

	if (t > s->now && ((f = fifo_for(s, h, t - s->now, h->cls)) != NULL ||
			   (f = fifo_mono(s, h, type, t, h->cls)) != NULL))
		fifo_push(s, f, t, type, target, arg);
	else if (h->cls == 0)
		evq_push_first(s->q, t, type, target, arg);
	else
		evq_push(s->q, t, type, target, arg);
	heap_top(s);
}

/* sim_at past its common case (below): the checks, the instant's lane, a
 * FIFO that is empty or full or must be found, the heap. */
static __attribute__((noinline)) void sim_at_rest(struct sim *s, sim_time_t t, uint32_t type,
						   void *target, uint64_t arg)
{
	struct handler *h;
	struct event_fifo *f;

	if (t < s->now || type >= s->n_h)
		bad_time(type, t, s->now);
	if (t == s->now && s->dispatching) {
		lane_push(s, type, target, arg);
		return;
	}
	/* the FIFO of the type's last fixed-delay event still holds that
	 * delay */
	h = &s->h[type];
	f = &s->ef[h->fifo];
	if (t > s->now && f->delay == t - s->now)
		fifo_push(s, f, t, type, target, arg);
	else
		queue(s, h, t, type, target, arg);
}

/* sim_at, inlined in sim_after and sim_held_after */
static inline void at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	/* the common case, with no call (so nothing to save): the FIFO of
	 * the type's last fixed-delay event still holds that delay, holds
	 * events (its place in the sorted list stays) and has room, and the
	 * sequence number needs no check (evq_take_seq) */
	if (t > s->now && type < s->n_h) {
		const struct handler *h = &s->h[type];
		struct event_fifo *f = &s->ef[h->fifo];
		uint64_t seq;

		/* 0 < n < cap: holds events and has room */
		if (f->delay == t - s->now && f->n - 1 < f->cap - 1 && evq_take_seq_fast(s->q, &seq)) {
			f->e[(f->head + f->n++) & (f->cap - 1)] =
				(struct event){ t, seq, type, f->cls, target, arg };
			s->n_efe++;
			return;
		}
	}
	sim_at_rest(s, t, type, target, arg);
}

void sim_at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	at(s, t, type, target, arg);
}

void sim_at_last(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	if (t < s->now || type >= s->n_h)
		bad_time(type, t, s->now);
	evq_push_last(s->q, t, type, target, arg);
	heap_top(s);
}

void sim_after(struct sim *s, sim_time_t delay, uint32_t type, void *target, uint64_t arg)
{
	at(s, s->now + (delay > 0 ? delay : 0), type, target, arg);
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

void sim_held_after(struct sim *s, sim_time_t delay, uint32_t type, uint64_t arg)
{
	if (delay <= 0 || type >= s->n_h || !s->h[type].ghost) {
		fprintf(stderr, "ecsim: fatal: internal: a held place with delay %lld, type %u\n",
			(long long)delay, type);
		abort();
	}
	/* queued as an event of a world type would be, with the key such an
	 * event would get; sim_run calls the step instead of dispatching it */
	at(s, s->now + delay, type, NULL, arg);
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

uint64_t sim_run(struct sim *s, sim_time_t until)
{
	uint64_t n = 0;
	struct event ev;

	s->stop = s->stuck;        /* a run the bound stopped stays stopped */
	while (!s->stop) {
		int from_lane = s->lane_n > 0;
		const struct handler *h;

		if (from_lane) {
			ev = s->lane[s->lane_head];
			s->lane_head = (s->lane_head + 1) & (s->lane_cap - 1);
			s->lane_n--;
		} else {
			/* the least key of the FIFOs' first events and the heap's */
			if (s->ef_first != EF_NONE && fkey_before(&s->ek[s->ef_first], s->ht, s->hw)) {
				const struct event_fifo *f = &s->ef[s->ef_first];
				const struct event *e = &f->e[f->head];

				if (e->t > until)
					break;
				h = &s->h[e->type];
				if (h->ghost) {
					/* a held place (most come from a FIFO):
					 * its time and argument read in place,
					 * no copy of the event */
					sim_time_t t = e->t;
					uint64_t arg = e->arg;

					fifo_drop(s);
					s->now = t;
					s->dispatching = 1;
					h->ghost(s, h->ctx, arg);
					s->dispatching = 0;
					continue;
				}
				fifo_pop(s, &ev);
				goto event;
			} else if (s->ht > until || !evq_pop(s->q, &ev)) {
				break;
			} else {
				heap_top(s);
			}
		}
		h = &s->h[ev.type];
		if (h->ghost) {
			/* a held place: its step at its place, not an event (not
			 * counted, not observed, not bounded by the instant's
			 * limit) */
			s->now = ev.t;
			s->dispatching = 1;
			h->ghost(s, h->ctx, ev.arg);
			s->dispatching = 0;
			continue;
		}
event:
		if (ev.t != s->instant_t) {
			s->instant_t = ev.t;
			s->instant_left = s->instant_max ? s->instant_max : UINT64_MAX;
		}
		if (s->instant_left == 0) {
			/* not run, but put back: whoever frees the pending
			 * events at the end still sees it */
			s->stuck = 1;
			s->stop = 1;
			s->stuck_type = ev.type;
			if (from_lane) {
				s->lane_head = (s->lane_head + s->lane_cap - 1) & (s->lane_cap - 1);
				s->lane[s->lane_head] = ev;
				s->lane_n++;
			} else if (ev.cls == 0) {
				evq_push_first(s->q, ev.t, ev.type, ev.target, ev.arg);
			} else if (ev.seq & EVQ_SEQ_LAST) {
				evq_push_last(s->q, ev.t, ev.type, ev.target, ev.arg);
			} else {
				evq_push(s->q, ev.t, ev.type, ev.target, ev.arg);
			}
			heap_top(s);
			break;
		}
		s->instant_left--;
		s->now = ev.t;
		s->dispatching = 1;
		h->fn(s, h->ctx, &ev);
		s->dispatching = 0;
		if (s->observer)
			s->observer(s->observer_ctx);
		n++;
	}
	s->n_events += n;
	return n;
}

void sim_stop(struct sim *s)
{
	s->stop = 1;
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

size_t sim_pending(const struct sim *s)
{
	return evq_size(s->q) + s->lane_n + s->n_efe;
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
	uint64_t used = (s->instant_max ? s->instant_max : UINT64_MAX) - s->instant_left;

	s->instant_max = n;
	s->instant_left = n ? (n > used ? n - used : 0) : UINT64_MAX - used;
}

int sim_stuck(const struct sim *s, sim_time_t *t, const char **event)
{
	if (!s->stuck)
		return 0;
	if (t)
		*t = s->instant_t;
	if (event)
		*event = s->h[s->stuck_type].name;
	return 1;
}
