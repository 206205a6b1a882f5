/* sim/evq.c — 4-ary min-heap of events keyed by (t, cls, seq) (evq.h).
 * Invariant: every node's key is <= the keys of its (up to 4) children. */
#include "evq.h"

#include <stdlib.h>

#include "mem.h"

struct evq {
	struct event *h;
	size_t n, cap;
	uint64_t next_seq;
};

static int before(const struct event *a, const struct event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	return a->seq < b->seq;
}

struct evq *evq_new(void)
{
	return xcalloc(1, sizeof(struct evq));
}

void evq_free(struct evq *q)
{
	if (!q)
		return;
	free(q->h);
	free(q);
}

static uint64_t push(struct evq *q, struct event ev)
{
	size_t i;

	XGROW(q->h, q->cap, q->n + 1);
	i = q->n++;
	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (!before(&ev, &q->h[p]))
			break;
		q->h[i] = q->h[p];
		i = p;
	}
	q->h[i] = ev;
	return ev.seq;
}

uint64_t evq_push(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, (struct event){ t, q->next_seq++, type, 1, target, arg });
}

uint64_t evq_push_first(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, (struct event){ t, q->next_seq++, type, 0, target, arg });
}

uint64_t evq_push_last(struct evq *q, sim_time_t t, uint32_t type, void *target, uint64_t arg)
{
	return push(q, (struct event){ t, q->next_seq++ | EVQ_SEQ_LAST, type, 1, target, arg });
}

int evq_pop(struct evq *q, struct event *out)
{
	struct event last;
	size_t i = 0;

	if (q->n == 0)
		return 0;
	*out = q->h[0];
	last = q->h[--q->n];
	for (;;) {
		size_t c = 4 * i + 1, best, end;

		if (c >= q->n)
			break;
		best = c;
		end = c + 4 < q->n ? c + 4 : q->n;
		for (size_t k = c + 1; k < end; k++)
			if (before(&q->h[k], &q->h[best]))
				best = k;
		if (!before(&q->h[best], &last))
			break;
		q->h[i] = q->h[best];
		i = best;
	}
	if (q->n > 0)
		q->h[i] = last;
	return 1;
}

sim_time_t evq_peek_time(const struct evq *q)
{
	return q->n ? q->h[0].t : SIM_TIME_MAX;
}

const struct event *evq_peek(const struct evq *q)
{
	return q->n ? &q->h[0] : NULL;
}

uint64_t evq_take_seq(struct evq *q)
{
	return q->next_seq++;
}

int evq_key_before(sim_time_t t, uint32_t cls, uint64_t seq, const struct event *b)
{
	struct event a = { t, seq, 0, cls, NULL, 0 };

	return before(&a, b);
}

size_t evq_size(const struct evq *q)
{
	return q->n;
}
