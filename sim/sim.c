/* sim/sim.c — clock, future-event list and handler dispatch. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>

#include "mem.h"

struct handler {
	const char *name;
	sim_handler fn;
	void *ctx;
	int release;
};

struct sim {
	struct evq *q;
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
};

struct sim *sim_new(void)
{
	struct sim *s = xcalloc(1, sizeof *s);

	s->q = evq_new();
	return s;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	evq_free(s->q);
	free(s->lane);
	free(s->h);
	free(s);
}

uint32_t sim_on(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	XGROW(s->h, s->cap_h, s->n_h + 1);
	s->h[s->n_h] = (struct handler){ name, fn, ctx, 0 };
	return (uint32_t)s->n_h++;
}

uint32_t sim_on_world(struct sim *s, const char *name, sim_handler fn, void *ctx)
{
	uint32_t type = sim_on(s, name, fn, ctx);

	s->h[type].release = 1;
	return type;
}

static void lane_push(struct sim *s, uint32_t type, void *target, uint64_t arg)
{
	if (s->lane_n == s->lane_cap) {
		size_t cap = s->lane_cap ? s->lane_cap * 2 : 64;
		struct event *l = xmalloc(cap * sizeof *l);

		for (size_t i = 0; i < s->lane_n; i++)
			l[i] = s->lane[(s->lane_head + i) % s->lane_cap];
		free(s->lane);
		s->lane = l;
		s->lane_cap = cap;
		s->lane_head = 0;
	}
	s->lane[(s->lane_head + s->lane_n++) % s->lane_cap] =
		(struct event){ s->now, 0, type, 1, target, arg };
}

void sim_at(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	if (t < s->now || type >= s->n_h) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u at %lld before now %lld\n",
			type, (long long)t, (long long)s->now);
		abort();
	}
	if (t == s->now && s->dispatching)
		lane_push(s, type, target, arg);
	else if (s->h[type].release)
		evq_push_first(s->q, t, type, target, arg);
	else
		evq_push(s->q, t, type, target, arg);
}

void sim_at_last(struct sim *s, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	if (t < s->now || type >= s->n_h) {
		fprintf(stderr, "ecsim: fatal: internal: event type %u at %lld before now %lld\n",
			type, (long long)t, (long long)s->now);
		abort();
	}
	evq_push_last(s->q, t, type, target, arg);
}

void sim_after(struct sim *s, sim_time_t delay, uint32_t type, void *target, uint64_t arg)
{
	sim_at(s, s->now + (delay > 0 ? delay : 0), type, target, arg);
}

sim_time_t sim_now(const struct sim *s)
{
	return s->now;
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

	s->stop = 0;
	/* evq_peek_time is SIM_TIME_MAX on an empty queue too: the pop decides. */
	while (!s->stop) {
		if (s->lane_n) {
			ev = s->lane[s->lane_head];
			s->lane_head = (s->lane_head + 1) % s->lane_cap;
			s->lane_n--;
		} else if (evq_peek_time(s->q) > until || !evq_pop(s->q, &ev)) {
			break;
		}
		s->now = ev.t;
		s->dispatching = 1;
		s->h[ev.type].fn(s, s->h[ev.type].ctx, &ev);
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
	return evq_size(s->q) + s->lane_n;
}

void sim_set_now(struct sim *s, sim_time_t t)
{
	if (t > s->now)
		s->now = t;
}
