/* tests/test_engine.c — the engine: future-event list, dispatch, named
 * random streams and distributions.
 *
 * The event list is checked against oracles (a sorted array, a linear-scan
 * minimum) on random mixes with many ties.  Distribution tests draw 200,000
 * values from fixed seeds and compare the sample mean and variance with
 * theory within 5 standard errors (the variance's standard error estimated
 * from the sample's 4th central moment), so they are statistical in design
 * but deterministic in practice: the same seed gives the same draws.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <gsl/gsl_rng.h>

#include "sim/dist.h"
#include "sim/evq.h"
#include "sim/jsonrd.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "tests/helpers/tutil.h"

/* ---------------------------------------------------------------- evq */

struct key {
	sim_time_t t;
	uint64_t idx;
};

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void test_evq_empty(void)
{
	struct evq *q = evq_new();
	struct event ev;

	T_EQ(evq_pop(q, &ev), 0);
	T_EQ(evq_peek_time(q), SIM_TIME_MAX);
	T_EQ(evq_size(q), 0);
	evq_free(q);
	evq_free(NULL);
}

/* Random batches with many ties, against a sorted-array oracle. */
static void test_evq_sorted_oracle(void)
{
	struct rng_reg *reg = rng_new(7);
	gsl_rng *r = rng_stream(reg, "test/evq");
	enum { N = 5000 };
	static struct key k[N];
	unsigned long ranges[] = { 1, 3, 50, 1000, 1000000000 };
	int bad = 0;

	for (size_t round = 0; round < sizeof ranges / sizeof ranges[0]; round++) {
		struct evq *q = evq_new();
		struct event ev;

		for (uint64_t i = 0; i < N; i++) {
			k[i].t = (sim_time_t)gsl_rng_uniform_int(r, ranges[round]);
			k[i].idx = i;
			evq_push(q, k[i].t, (uint32_t)(i % 7), &k[i], i);
		}
		T_EQ(evq_size(q), N);
		qsort(k, N, sizeof k[0], key_cmp);
		for (size_t i = 0; i < N; i++) {
			if (evq_peek_time(q) != k[i].t || !evq_pop(q, &ev) || ev.t != k[i].t ||
			    ev.arg != k[i].idx || ev.seq != k[i].idx || ev.type != k[i].idx % 7)
				bad++;
		}
		T_EQ(bad, 0);
		T_EQ(evq_pop(q, &ev), 0);
		evq_free(q);
	}
	rng_free(reg);
}

/* 10^5 events: non-decreasing times, FIFO within ties. */
static void test_evq_large(void)
{
	struct rng_reg *reg = rng_new(8);
	gsl_rng *r = rng_stream(reg, "test/evq-large");
	struct evq *q = evq_new();
	struct event ev, prev = { 0 };
	size_t n = 100000, got = 0;
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		evq_push(q, (sim_time_t)gsl_rng_uniform_int(r, 20000), 0, NULL, i);
	while (evq_pop(q, &ev)) {
		if (got && (ev.t < prev.t || (ev.t == prev.t && ev.seq <= prev.seq)))
			bad++;
		if (ev.arg != ev.seq)
			bad++;
		prev = ev;
		got++;
	}
	T_EQ(bad, 0);
	T_EQ(got, n);
	evq_free(q);
	rng_free(reg);
}

/* Interleaved pushes and pops, against a linear-scan minimum. */
static void test_evq_interleaved(void)
{
	struct rng_reg *reg = rng_new(9);
	gsl_rng *r = rng_stream(reg, "test/evq-mix");
	struct evq *q = evq_new();
	struct key *pend = NULL;
	size_t n = 0, cap = 0;
	uint64_t next = 0;
	sim_time_t now = 0;
	int bad = 0;

	for (int step = 0; step < 60000; step++) {
		/* More pushes than pops in the first half, fewer in the second. */
		double p_push = step < 30000 ? 0.6 : 0.4;

		if (gsl_rng_uniform(r) < p_push || n == 0) {
			sim_time_t t = now + (sim_time_t)gsl_rng_uniform_int(r, 10);

			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				pend = realloc(pend, cap * sizeof *pend);
			}
			pend[n++] = (struct key){ t, next };
			if (evq_push(q, t, 1, NULL, next) != next)
				bad++;
			next++;
		} else {
			size_t best = 0;
			struct event ev;

			for (size_t i = 1; i < n; i++)
				if (key_cmp(&pend[i], &pend[best]) < 0)
					best = i;
			if (!evq_pop(q, &ev) || ev.t != pend[best].t || ev.arg != pend[best].idx)
				bad++;
			now = ev.t;
			pend[best] = pend[--n];
		}
		if (evq_size(q) != n)
			bad++;
	}
	T_EQ(bad, 0);
	free(pend);
	evq_free(q);
	rng_free(reg);
}

/* The wheel (evq.c) against a linear scan: interleaved pushes and pops of
 * the three classes (first, ordinary, last) with times that tie at one
 * millisecond, cross the wheel's blocks (2^EVQ_BLOCK_BITS ms) and its
 * level-1 range (2^(EVQ_BLOCK_BITS + EVQ_W1_BITS) ms, past which the heap
 * takes them), land just before, on and after a block's edge, lie before
 * the last pop (a plain queue allows it; the wheel leaves them to the heap)
 * or at the time of one queued (ties between the wheel's events and the
 * heap's).  Every pop must give the scan's least key (time, class, number)
 * with its type and payload. */
struct wkey {
	sim_time_t t;
	uint32_t cls;
	uint64_t seq;              /* with EVQ_SEQ_LAST */
	uint32_t type;
};

static int wkey_before(const struct wkey *a, const struct wkey *b)
{
	uint64_t as = a->seq & ~EVQ_SEQ_LAST, bs = b->seq & ~EVQ_SEQ_LAST;
	int al = (a->seq & EVQ_SEQ_LAST) != 0, bl = (b->seq & EVQ_SEQ_LAST) != 0;

	if (a->t != b->t)
		return a->t < b->t;
	if (a->cls != b->cls)
		return a->cls < b->cls;
	if (al != bl)
		return al < bl;
	return as < bs;
}

static void test_evq_wheel_oracle(void)
{
	struct rng_reg *reg = rng_new(11);
	gsl_rng *r = rng_stream(reg, "test/evq-wheel");
	enum { CAP = 4096, B = EVQ_BLOCK_BITS, L = EVQ_BLOCK_BITS + EVQ_W1_BITS };
	static struct wkey pend[CAP];
	size_t n = 0;
	sim_time_t now = 0;
	uint64_t bad = 0, pops = 0, past = 0, far = 0;

	for (int round = 0; round < 3; round++) {
		struct evq *q = evq_new();

		n = 0;
		now = round == 2 ? (sim_time_t)1 << 40 : 0;   /* a late start: cb far from 0 */
		for (int step = 0; step < 150000; step++) {
			/* in bursts, each ending with pops only: the far events
			 * come to the front too */
			double p_push = step % 5000 >= 4000 ? 0 : n < 200 ? 0.7 : n > 3000 ? 0.2 : 0.5;

			if (n < CAP && (gsl_rng_uniform(r) < p_push || n == 0)) {
				unsigned long how = gsl_rng_uniform_int(r, 16);
				sim_time_t t, edge = ((now >> B) + 1 + (sim_time_t)gsl_rng_uniform_int(r, 3)) << B;
				uint32_t type = (uint32_t)gsl_rng_uniform_int(r, 1024);
				unsigned long cls = gsl_rng_uniform_int(r, 3);
				uint64_t seq;

				if (how < 5)
					t = now + (sim_time_t)gsl_rng_uniform_int(r, 4);
				else if (how < 9)
					t = now + (sim_time_t)gsl_rng_uniform_int(r, 200000);
				else if (how < 11)
					t = edge - 1 + (sim_time_t)gsl_rng_uniform_int(r, 3);
				else if (how < 13)
					t = now + (sim_time_t)gsl_rng_uniform_int(r, (UINT64_C(1) << L) + 400000);
				else if (how < 14)
					t = (((now >> B) + EVQ_W1_N) << B) - 2 + (sim_time_t)gsl_rng_uniform_int(r, 4);
				else if (how < 15)
					t = now - (sim_time_t)gsl_rng_uniform_int(r, 100000);
				else if (n && gsl_rng_uniform_int(r, 2))
					t = pend[gsl_rng_uniform_int(r, n)].t;   /* a tie with one queued, wheel or heap */
				else
					t = now + (sim_time_t)gsl_rng_uniform_int(r, 3) * ((sim_time_t)1 << 40);
				past += t < now;
				far += t - now >= (sim_time_t)1 << L;
				seq = cls == 0 ? evq_push_first(q, t, type, NULL, (uint64_t)step) :
				      cls == 1 ? evq_push(q, t, type, NULL, (uint64_t)step) :
						 evq_push_last(q, t, type, NULL, (uint64_t)step);
				pend[n++] = (struct wkey){ t, cls != 0, seq, type };
			} else {
				size_t best = 0;
				struct event ev;

				for (size_t i = 1; i < n; i++)
					if (wkey_before(&pend[i], &pend[best]))
						best = i;
				if (evq_peek_time(q) != pend[best].t || !evq_pop(q, &ev) || ev.t != pend[best].t ||
				    ev.cls != pend[best].cls || ev.seq != pend[best].seq ||
				    ev.type != pend[best].type)
					bad++;
				if (ev.t > now)
					now = ev.t;
				pend[best] = pend[--n];
				pops++;
			}
			if (evq_size(q) != n)
				bad++;
		}
		evq_free(q);
	}
	T_EQ(bad, 0);
	CU_ASSERT(pops > 200000);
	CU_ASSERT(past > 1000);
	CU_ASSERT(far > 1000);
	rng_free(reg);
}

/* Level 0 takes a block's events into an arena of the pool (evq.c's
 * evq_settle): blocks of growing and shrinking sizes (the arena grows past
 * its first 1,024 items twice, and its old items go back to the pool; a
 * bucket of fewer events than it has lists leaves some empty),
 * each popped while events keep being pushed into the same milliseconds
 * (items of the pool in the lists of arena items) and into later blocks,
 * in the three classes, against a sorted array.  Every pop must give the
 * least key with its payload; the queue's size must match throughout. */
static int wkey_cmp_desc(const struct wkey *a, const struct wkey *b)
{
	return wkey_before(b, a) ? -1 : wkey_before(a, b) ? 1 : 0;
}

static void test_evq_arena(void)
{
	static const uint32_t sizes[] = { 10, 1500, 1, 300, 5000, 0, 2500, 3, 9000, 40, 2, 3000, 4, 5 };
	enum { NB = sizeof sizes / sizeof *sizes, B = EVQ_BLOCK_BITS };
	struct rng_reg *reg = rng_new(13);
	gsl_rng *r = rng_stream(reg, "test/evq-arena");
	struct evq *q = evq_new();
	enum { MAXEV = 1 << 17 };        /* pushes in all: ~33,000 */
	size_t n = 0;
	struct wkey *pend = malloc(MAXEV * sizeof *pend);   /* sorted, least last */
	struct wkey *ev_of = malloc(MAXEV * sizeof *ev_of);
	uint64_t bad = 0, pops = 0, mixed = 0, payload = 0;
	sim_time_t now = 0;

	for (size_t b = 0; b < NB; b++) {
		for (uint32_t k = 0; k < sizes[b]; k++) {
			sim_time_t t = ((sim_time_t)(b + 1) << B) + (sim_time_t)gsl_rng_uniform_int(r, 1u << B);
			unsigned long cls = gsl_rng_uniform_int(r, 3);
			uint64_t seq = cls == 0 ? evq_push_first(q, t, 7, NULL, payload) :
				       cls == 1 ? evq_push(q, t, 7, NULL, payload) : evq_push_last(q, t, 7, NULL, payload);

			ev_of[payload++] = (struct wkey){ t, cls != 0, seq, 7 };
		}
	}
	/* the oracle: every pushed key, sorted with the least last */
	for (uint64_t k = 0; k < payload; k++)
		pend[n++] = ev_of[k];
	qsort(pend, n, sizeof *pend, (int (*)(const void *, const void *))wkey_cmp_desc);
	while (n > 0) {
		struct event ev;
		const struct wkey *want = &pend[n - 1];

		if (!evq_pop(q, &ev) || ev.t != want->t || ev.cls != want->cls || ev.seq != want->seq ||
		    ev.arg >= payload || ev_of[ev.arg].seq != want->seq)
			bad++;
		now = ev.t;
		n--;
		pops++;
		/* now and then a push into this millisecond or the next few
		 * (a pool item among the arena's), or into a later block */
		if (payload < MAXEV && gsl_rng_uniform(r) < 0.35) {
			int later = gsl_rng_uniform(r) < 0.1;
			sim_time_t t = later ? now + ((sim_time_t)1 << B) * (sim_time_t)(1 + gsl_rng_uniform_int(r, 3)) :
					       now + (sim_time_t)gsl_rng_uniform_int(r, 3);
			unsigned long cls = gsl_rng_uniform_int(r, 3);
			uint64_t seq = cls == 0 ? evq_push_first(q, t, 9, NULL, payload) :
				       cls == 1 ? evq_push(q, t, 9, NULL, payload) : evq_push_last(q, t, 9, NULL, payload);
			struct wkey w = { t, cls != 0, seq, 9 };
			size_t lo = 0, hi = n;

			ev_of[payload++] = w;
			while (lo < hi) {             /* the first position whose key is before w */
				size_t mid = (lo + hi) / 2;

				if (wkey_before(&pend[mid], &w))
					hi = mid;
				else
					lo = mid + 1;
			}
			memmove(pend + lo + 1, pend + lo, (n - lo) * sizeof *pend);
			pend[lo] = w;
			n++;
			mixed += !later;
		}
		if (pops % 97 == 0 && evq_size(q) != n)
			bad++;
	}
	T_EQ(bad, 0);
	T_EQ(evq_size(q), 0);
	CU_ASSERT(pops > 25000);
	CU_ASSERT(mixed > 5000);
	free(pend);
	free(ev_of);
	evq_free(q);
	rng_free(reg);
}

/* Many events at a few milliseconds in mixed classes (the wheel keeps a
 * slot sorted by class, then number, with hints for the events put out of
 * order: evq.c's l0_put): rounds of pushes in random classes to 3 times,
 * with some pops between, against a linear scan. */
static void test_evq_one_instant(void)
{
	struct rng_reg *reg = rng_new(12);
	gsl_rng *r = rng_stream(reg, "test/evq-instant");
	enum { CAP = 3000 };
	static struct wkey pend[CAP];
	uint64_t bad = 0, pops = 0;

	for (int round = 0; round < 30; round++) {
		struct evq *q = evq_new();
		sim_time_t t0 = (sim_time_t)gsl_rng_uniform_int(r, 1000000);
		size_t n = 0;
		/* the classes' weights differ by round: some rounds nearly
		 * all of one class, a few of the others */
		double w0 = gsl_rng_uniform(r), w1 = gsl_rng_uniform(r);

		for (int step = 0; step < 6000; step++) {
			if (n < CAP && (n == 0 || gsl_rng_uniform(r) < (step < 4000 ? 0.85 : 0.1))) {
				sim_time_t t = t0 + (sim_time_t)gsl_rng_uniform_int(r, 3);
				double u = gsl_rng_uniform(r);
				int cls = u < w0 ? 0 : u < w0 + (1 - w0) * w1 ? 1 : 2;
				uint64_t seq = cls == 0 ? evq_push_first(q, t, 0, NULL, 0) :
					       cls == 1 ? evq_push(q, t, 0, NULL, 0) : evq_push_last(q, t, 0, NULL, 0);

				pend[n++] = (struct wkey){ t, cls != 0, seq, 0 };
			} else {
				size_t best = 0;
				struct event ev;

				for (size_t i = 1; i < n; i++)
					if (wkey_before(&pend[i], &pend[best]))
						best = i;
				if (!evq_pop(q, &ev) || ev.t != pend[best].t || ev.cls != pend[best].cls ||
				    ev.seq != pend[best].seq)
					bad++;
				pend[best] = pend[--n];
				pops++;
			}
		}
		evq_free(q);
	}
	T_EQ(bad, 0);
	CU_ASSERT(pops > 30 * 2000);
	rng_free(reg);
}

/* ---------------------------------------------------------------- sim */

struct logent {
	char who;
	sim_time_t t;
	void *target;
	uint64_t arg;
};

struct rec {
	char who;
	struct logent log[64];
	int n;
	struct rec *shared;     /* log into this one when set */
	uint32_t self_type;     /* for handlers that reschedule */
	int stop_at;            /* call sim_stop on this event number (1-based) */
};

static void on_rec(struct sim *s, void *ctx, const struct event *ev)
{
	struct rec *r = ctx, *l = r->shared ? r->shared : r;

	if (l->n < 64)
		l->log[l->n++] = (struct logent){ r->who, sim_now(s), ev->target, ev->arg };
	if (r->stop_at && l->n == r->stop_at)
		sim_stop(s);
}

static void test_sim_dispatch(void)
{
	struct sim *s = sim_new();
	struct rec log = { 0 }, a = { .who = 'a', .shared = &log }, b = { .who = 'b', .shared = &log };
	uint32_t ta = sim_on(s, "a", on_rec, &a), tb = sim_on(s, "b", on_rec, &b);
	int x, y;

	CU_ASSERT_NOT_EQUAL(ta, tb);
	sim_at(s, 20, tb, &y, 2);
	sim_at(s, 10, ta, &x, 1);
	sim_at(s, 20, ta, &y, 3);
	T_EQ(sim_pending(s), 3);
	T_EQ(sim_run(s, SIM_TIME_MAX), 3);
	T_EQ(log.n, 3);
	T_EQ(log.log[0].who, 'a');
	T_EQ(log.log[0].t, 10);
	CU_ASSERT_PTR_EQUAL(log.log[0].target, &x);
	T_EQ(log.log[0].arg, 1);
	T_EQ(log.log[1].who, 'b');
	T_EQ(log.log[1].t, 20);
	CU_ASSERT_PTR_EQUAL(log.log[1].target, &y);
	T_EQ(log.log[1].arg, 2);
	T_EQ(log.log[2].who, 'a');
	T_EQ(log.log[2].arg, 3);
	T_EQ(sim_events(s), 3);
	T_EQ(sim_pending(s), 0);
	T_EQ(sim_now(s), 20);
	sim_free(s);
	sim_free(NULL);
}

static void test_sim_until(void)
{
	struct sim *s = sim_new();
	struct rec r = { .who = 'r' };
	uint32_t t = sim_on(s, "r", on_rec, &r);

	sim_at(s, 10, t, NULL, 1);
	sim_at(s, 20, t, NULL, 2);
	sim_at(s, 30, t, NULL, 3);
	T_EQ(sim_run(s, 20), 2);
	T_EQ(sim_now(s), 20);
	T_EQ(sim_pending(s), 1);
	T_EQ(sim_run(s, 29), 0);
	T_EQ(sim_pending(s), 1);
	sim_set_now(s, 25);
	T_EQ(sim_now(s), 25);
	sim_set_now(s, 5);
	T_EQ(sim_now(s), 25);
	T_EQ(sim_run(s, SIM_TIME_MAX), 1);
	T_EQ(sim_now(s), 30);
	T_EQ(r.log[2].arg, 3);
	T_EQ(sim_events(s), 3);
	sim_free(s);
}

struct chain {
	uint32_t type;
	int spawned;
	struct rec *log;
};

/* At arg 1: schedule arg 100 for now; everything is logged. */
static void on_chain(struct sim *s, void *ctx, const struct event *ev)
{
	struct chain *c = ctx;

	c->log->log[c->log->n++] = (struct logent){ 'c', sim_now(s), NULL, ev->arg };
	if (ev->arg == 1 && !c->spawned) {
		c->spawned = 1;
		sim_after(s, 0, c->type, NULL, 100);
		sim_at(s, sim_now(s), c->type, NULL, 101);
	}
}

static void test_sim_same_time(void)
{
	struct sim *s = sim_new();
	struct rec log = { 0 };
	struct chain c = { .log = &log };

	c.type = sim_on(s, "chain", on_chain, &c);
	sim_at(s, 5, c.type, NULL, 1);
	sim_at(s, 5, c.type, NULL, 2);
	sim_at(s, 6, c.type, NULL, 3);
	T_EQ(sim_run(s, SIM_TIME_MAX), 5);
	T_EQ(log.n, 5);
	/* 1 runs, schedules 100 and 101 for now: they are its consequences and
	 * run in the instant's lane, in that order, before 2 (queued earlier
	 * for the same time, but a separate event) and before 3. */
	T_EQ(log.log[0].arg, 1);
	T_EQ(log.log[1].arg, 100);
	T_EQ(log.log[1].t, 5);
	T_EQ(log.log[2].arg, 101);
	T_EQ(log.log[3].arg, 2);
	T_EQ(log.log[4].arg, 3);
	sim_free(s);
}

/* A source fed one ahead (a trace's rows): arg 1 schedules its next item
 * (arg 10) for now with sim_at_next, then a chain of consequences: 100 for
 * now, which schedules 200 for now, which schedules 300 for now.  The next
 * item waits until the whole chain has run, then runs before 2 (queued for
 * the same time before it all); 10 schedules its own next item, 20, which
 * runs after 10's consequence 110.  A later time is sim_at's. */
static void on_feed(struct sim *s, void *ctx, const struct event *ev)
{
	struct chain *c = ctx;
	uint64_t a = ev->arg;

	c->log->log[c->log->n++] = (struct logent){ 'f', sim_now(s), NULL, a };
	if (a == 1 || a == 10) {
		sim_at_next(s, sim_now(s), c->type, NULL, a == 1 ? 10 : 20);
		sim_after(s, 0, c->type, NULL, a == 1 ? 100 : 110);
	} else if (a == 100 || a == 200) {
		sim_after(s, 0, c->type, NULL, a + 100);
	} else if (a == 20) {
		sim_at_next(s, sim_now(s) + 1, c->type, NULL, 30);
	}
}

static void test_sim_at_next(void)
{
	static const uint64_t want[] = { 1, 100, 200, 300, 10, 110, 20, 2, 30 };
	struct sim *s = sim_new();
	struct rec log = { 0 };
	struct chain c = { .log = &log };

	c.type = sim_on(s, "feed", on_feed, &c);
	sim_at(s, 5, c.type, NULL, 1);
	sim_at(s, 5, c.type, NULL, 2);
	T_EQ(sim_run(s, SIM_TIME_MAX), 9);
	T_EQ(log.n, 9);
	for (int i = 0; i < 9 && i < log.n; i++)
		T_EQ(log.log[i].arg, want[i]);
	T_EQ(log.log[7].t, 5);
	T_EQ(log.log[8].t, 6);
	T_EQ(sim_pending(s), 0);
	sim_free(s);
}

static void test_sim_stop(void)
{
	struct sim *s = sim_new();
	struct rec r = { .who = 'r', .stop_at = 3 };
	uint32_t t = sim_on(s, "r", on_rec, &r);

	for (int i = 1; i <= 5; i++)
		sim_at(s, i * 10, t, NULL, (uint64_t)i);
	T_EQ(sim_run(s, SIM_TIME_MAX), 3);
	T_EQ(sim_now(s), 30);
	T_EQ(sim_pending(s), 2);
	T_EQ(sim_run(s, SIM_TIME_MAX), 2);
	T_EQ(r.log[4].arg, 5);
	T_EQ(sim_events(s), 5);
	sim_free(s);
}

/* A handler stops the run after scheduling two events for now: the next
 * run takes them from the instant's lane before the queue's event of the
 * same time; handlers and held places' steps run with sim_dispatching()
 * set, the observer (after every event, not after a step) and the caller
 * between runs with it clear. */
struct lanestop {
	struct sim *s;
	uint32_t type;
	int log[16], n, n_obs, bad;
};

static void on_lanestop(struct sim *s, void *ctx, const struct event *ev)
{
	struct lanestop *l = ctx;

	if (!sim_dispatching(s))
		l->bad++;
	if (l->n < 16)
		l->log[l->n++] = (int)ev->arg;
	if (ev->arg == 1) {
		sim_after(s, 0, l->type, NULL, 10);
		sim_after(s, 0, l->type, NULL, 11);
		sim_stop(s);
	}
}

static void ghost_lanestop(struct sim *s, void *ctx, uint64_t arg)
{
	struct lanestop *l = ctx;

	if (!sim_dispatching(s))
		l->bad++;
	if (l->n < 16)
		l->log[l->n++] = (int)arg;
}

static void obs_lanestop(void *ctx)
{
	struct lanestop *l = ctx;

	if (sim_dispatching(l->s))
		l->bad++;
	l->n_obs++;
}

static void test_sim_stop_with_lane(void)
{
	struct sim *s = sim_new();
	struct lanestop l = { .s = s };
	static const int want[] = { 1, 10, 11, 2, 3 };

	l.type = sim_on(s, "ls", on_lanestop, &l);
	sim_observe(s, obs_lanestop, &l);
	sim_at(s, 5, l.type, NULL, 1);
	sim_at(s, 5, l.type, NULL, 2);
	sim_ghost_after(s, 7, ghost_lanestop, &l, 3);
	T_EQ(sim_run(s, SIM_TIME_MAX), 1);
	T_EQ(sim_lane_pending(s), 2);
	CU_ASSERT(!sim_dispatching(s));
	T_EQ(sim_run(s, SIM_TIME_MAX), 3);      /* 10, 11, 2: the step is no event */
	CU_ASSERT(!sim_dispatching(s));
	T_EQ(l.n, 5);
	for (int k = 0; k < 5 && k < l.n; k++)
		T_EQ(l.log[k], want[k]);
	T_EQ(l.n_obs, 4);
	T_EQ(l.bad, 0);
	T_EQ(sim_now(s), 7);
	sim_free(s);
}

/* A run called from a handler with a later horizon than the run around
 * it: after it returns, the outer run keeps its own horizon (an event the
 * handler then schedules past it stays queued). */
struct nested {
	uint32_t type;
	uint64_t inner, log[8];
	int n;
};

static void on_nested(struct sim *s, void *ctx, const struct event *ev)
{
	struct nested *m = ctx;

	if (m->n < 8)
		m->log[m->n++] = ev->arg;
	if (ev->arg == 1) {
		m->inner = sim_run(s, 100);     /* runs 2 and 3 */
		sim_at(s, 50, m->type, NULL, 4);  /* past the outer horizon */
	}
}

static void test_sim_nested_run(void)
{
	struct sim *s = sim_new();
	struct nested m = { 0 };
	static const uint64_t want[] = { 1, 2, 3 };

	m.type = sim_on(s, "n", on_nested, &m);
	sim_at(s, 10, m.type, NULL, 1);
	sim_at(s, 20, m.type, NULL, 2);
	sim_at(s, 30, m.type, NULL, 3);
	T_EQ(sim_run(s, 30), 1);                /* 1: 2 and 3 are the inner run's */
	T_EQ(m.inner, 2);
	T_EQ(m.n, 3);
	for (int k = 0; k < 3 && k < m.n; k++)
		T_EQ(m.log[k], want[k]);
	T_EQ(sim_pending(s), 1);
	T_EQ(sim_now(s), 30);
	T_EQ(sim_run(s, SIM_TIME_MAX), 1);
	T_EQ(m.log[3], 4);
	sim_free(s);
}

/* ---------------------------------------------------------------- rng */

static void test_rng_same_name(void)
{
	struct rng_reg *a = rng_new(42), *b = rng_new(42);
	gsl_rng *ra = rng_stream(a, "svc/web/arrivals"), *rb = rng_stream(b, "svc/web/arrivals");
	int diff = 0;

	CU_ASSERT_PTR_EQUAL(rng_stream(a, "svc/web/arrivals"), ra);
	CU_ASSERT_STRING_EQUAL(gsl_rng_name(ra), "mt19937");
	for (int i = 0; i < 1000; i++)
		diff += gsl_rng_get(ra) != gsl_rng_get(rb);
	T_EQ(diff, 0);
	rng_free(a);
	rng_free(b);
	rng_free(NULL);
}

static void test_rng_names_and_seeds_differ(void)
{
	struct rng_reg *a = rng_new(42), *b = rng_new(43);
	gsl_rng *r1 = rng_stream(a, "svc/web/arrivals"), *r2 = rng_stream(a, "svc/api/arrivals");
	gsl_rng *r3 = rng_stream(b, "svc/web/arrivals");
	int same12 = 0, same13 = 0;

	CU_ASSERT_NOT_EQUAL(rng_seed_for(42, "svc/web/arrivals"), rng_seed_for(42, "svc/api/arrivals"));
	CU_ASSERT_NOT_EQUAL(rng_seed_for(42, "svc/web/arrivals"), rng_seed_for(43, "svc/web/arrivals"));
	for (int i = 0; i < 1000; i++) {
		unsigned long x1 = gsl_rng_get(r1), x2 = gsl_rng_get(r2), x3 = gsl_rng_get(r3);

		same12 += x1 == x2;
		same13 += x1 == x3;
	}
	CU_ASSERT(same12 < 5);
	CU_ASSERT(same13 < 5);
	rng_free(a);
	rng_free(b);
}

/* A stream's draws do not depend on which other streams exist or on the
 * order they were created in. */
static void test_rng_order_independent(void)
{
	struct rng_reg *a = rng_new(2024), *b = rng_new(2024);
	unsigned long first[1000];
	gsl_rng *ra, *rb;
	char name[64];
	int diff = 0;

	ra = rng_stream(a, "place/random");
	for (int i = 0; i < 1000; i++)
		first[i] = gsl_rng_get(ra);
	for (int i = 300; i > 0; i--) {
		snprintf(name, sizeof name, "svc/s%d/arrivals", i);
		gsl_rng_get(rng_stream(b, name));
	}
	rb = rng_stream(b, "place/random");
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "svc/s%d/arrivals", i % 300 + 1);
		gsl_rng_get(rng_stream(b, name));
		diff += gsl_rng_get(rb) != first[i];
	}
	T_EQ(diff, 0);
	/* the documented derivation */
	{
		gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);

		gsl_rng_set(ref, (unsigned long)rng_seed_for(2024, "place/random"));
		T_EQ(gsl_rng_get(ref), first[0]);
		gsl_rng_free(ref);
	}
	rng_free(a);
	rng_free(b);
}

struct seedname {
	uint64_t seed;
	int i;
};

static int seedname_cmp(const void *a, const void *b)
{
	const struct seedname *x = a, *y = b;

	return x->seed < y->seed ? -1 : x->seed > y->seed;
}

/* Two names whose derived 32-bit seeds collide get different streams; the
 * first one created keeps the documented seed. */
static void test_rng_collision(void)
{
	enum { N = 400000 };
	struct seedname *sn = malloc(N * sizeof *sn);
	int i1 = -1, i2 = -1, wide = 0;
	char n1[32], n2[32];

	for (int i = 0; i < N; i++) {
		snprintf(n1, sizeof n1, "s%d", i);
		sn[i] = (struct seedname){ rng_seed_for(1, n1), i };
		wide += sn[i].seed > 0xffffffffULL;
	}
	T_EQ(wide, 0);
	qsort(sn, N, sizeof *sn, seedname_cmp);
	for (int i = 1; i < N && i1 < 0; i++)
		if (sn[i].seed == sn[i - 1].seed) {
			i1 = sn[i - 1].i;
			i2 = sn[i].i;
		}
	CU_ASSERT_FATAL(i1 >= 0);
	snprintf(n1, sizeof n1, "s%d", i1);
	snprintf(n2, sizeof n2, "s%d", i2);
	for (int order = 0; order < 2; order++) {
		struct rng_reg *reg = rng_new(1);
		const char *first = order ? n2 : n1, *second = order ? n1 : n2;
		gsl_rng *r1 = rng_stream(reg, first), *r2 = rng_stream(reg, second);
		gsl_rng *ref = gsl_rng_alloc(gsl_rng_mt19937);
		int same = 0;

		gsl_rng_set(ref, (unsigned long)rng_seed_for(1, first));
		for (int i = 0; i < 100; i++) {
			unsigned long x1 = gsl_rng_get(r1);

			same += x1 == gsl_rng_get(r2);
			CU_ASSERT_EQUAL(x1, gsl_rng_get(ref));
		}
		CU_ASSERT(same < 3);
		gsl_rng_free(ref);
		rng_free(reg);
	}
	free(sn);
}

/* ---------------------------------------------------------------- dist */

static int parse_text(struct dist *d, const char *text, const char *base_dir, struct err *e)
{
	struct jdoc doc;
	int rc;

	err_clear(e);
	if (jdoc_parse(&doc, "s.json", text, strlen(text), e)) {
		memset(d, 0, sizeof *d);
		return -2;
	}
	rc = dist_parse(d, doc.root, "s.json", "$.d", base_dir, e);
	jdoc_free(&doc);
	return rc;
}

#define NDRAW 200000

/* Draw NDRAW values and compare sample mean and variance with theory. */
static void check_moments(const char *json, unsigned long seed)
{
	static double x[NDRAW];
	struct err e;
	struct dist d;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double mu, var, m = 0, s2 = 0, m4 = 0, se_m, se_v;
	int neg = 0;
	char msg[512];

	if (parse_text(&d, json, NULL, &e) != 0) {
		char buf[2200];

		err_format(&e, buf, sizeof buf);
		snprintf(msg, sizeof msg, "%.200s: %.300s", json, buf);
		T_FAIL(msg);
		gsl_rng_free(r);
		return;
	}
	gsl_rng_set(r, seed);
	mu = dist_mean(&d);
	var = dist_variance(&d);
	for (int i = 0; i < NDRAW; i++) {
		x[i] = dist_sample(&d, r);
		neg += !(x[i] >= 0);
		m += x[i];
	}
	m /= NDRAW;
	for (int i = 0; i < NDRAW; i++) {
		double dv = (x[i] - m) * (x[i] - m);

		s2 += dv;
		m4 += dv * dv;
	}
	s2 /= NDRAW - 1;
	m4 /= NDRAW;
	se_m = sqrt(var / NDRAW);
	se_v = sqrt(fmax(m4 - s2 * s2, 0) / NDRAW);
	snprintf(msg, sizeof msg, "%s: mean %g (theory %g, se %g), var %g (theory %g, se %g), %d negative",
		 json, m, mu, se_m, s2, var, se_v, neg);
	CU_ASSERT_EQUAL(neg, 0);
	if (!(fabs(m - mu) <= 5 * se_m + 1e-9 * fabs(mu)))
		T_FAIL(msg);
	if (!(fabs(s2 - var) <= 5 * se_v + 1e-9 * var))
		T_FAIL(msg);
	CU_PASS(msg);
	dist_free(&d);
	gsl_rng_free(r);
}

static void test_dist_moments(void)
{
	check_moments("{\"constant\": {\"value\": 30}}", 1);
	check_moments("{\"uniform\": {\"min\": 10, \"max\": 60}}", 2);
	check_moments("{\"exponential\": {\"mean\": 600}}", 3);
	check_moments("{\"normal\": {\"mean\": 300, \"sd\": 60}}", 4);
	check_moments("{\"normal\": {\"mean\": 10, \"sd\": 20}}", 5);
	check_moments("{\"normal\": {\"mean\": -50, \"sd\": 10}}", 6);
	check_moments("{\"normal\": {\"mean\": -3, \"sd\": 2.5}}", 7);
	check_moments("{\"lognormal\": {\"mu\": 5.0, \"sigma\": 0.5}}", 8);
	check_moments("{\"lognormal\": {\"mean\": 300, \"sd\": 100}}", 9);
	check_moments("{\"weibull\": {\"shape\": 1.5, \"scale\": 3600}}", 10);
	check_moments("{\"weibull\": {\"shape\": 0.8, \"scale\": 10}}", 11);
	check_moments("{\"pareto\": {\"shape\": 5, \"scale\": 100}}", 12);
}

static void test_dist_theory(void)
{
	struct err e;
	struct dist d;

	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"lognormal\": {\"mean\": 300, \"sd\": 100}}", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 300, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(dist_variance(&d), 10000, 1e-6);
	dist_free(&d);
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"pareto\": {\"shape\": 2, \"scale\": 1}}", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 2, 1e-12);
	CU_ASSERT(isnan(dist_variance(&d)));
	dist_free(&d);
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"pareto\": {\"shape\": 1, \"scale\": 1}}", NULL, &e), 0);
	CU_ASSERT(isnan(dist_mean(&d)));
	dist_free(&d);
	/* Truncation at 0 of N(0, 1): mean sqrt(2/pi), variance 1 - 2/pi. */
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"normal\": {\"mean\": 0, \"sd\": 1}}", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), sqrt(2 / M_PI), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_variance(&d), 1 - 2 / M_PI, 1e-12);
	dist_free(&d);
	/* Far below 0: mean ~ sd^2/|mu| (exponential tail), finite. */
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"normal\": {\"mean\": -1000, \"sd\": 1}}", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 1e-3, 1e-8);
	CU_ASSERT(dist_variance(&d) > 0 && dist_variance(&d) < 2e-6);
	dist_free(&d);
	/* Far above 0: no truncation to speak of. */
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"normal\": {\"mean\": 1000, \"sd\": 1}}", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 1000, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(dist_variance(&d), 1, 1e-12);
	dist_free(&d);
}

static void test_dist_normal_nonnegative(void)
{
	const char *cases[] = {
		"{\"normal\": {\"mean\": 0, \"sd\": 100}}",
		"{\"normal\": {\"mean\": -1, \"sd\": 1}}",
		"{\"normal\": {\"mean\": -200, \"sd\": 1}}",
	};
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		struct err e;
		struct dist d;
		int neg = 0;

		CU_ASSERT_EQUAL_FATAL(parse_text(&d, cases[c], NULL, &e), 0);
		gsl_rng_set(r, 100 + c);
		for (int i = 0; i < NDRAW; i++)
			neg += !(dist_sample(&d, r) >= 0);
		T_EQ(neg, 0);
		dist_free(&d);
	}
	gsl_rng_free(r);
}

static void test_dist_bare_number(void)
{
	struct err e;
	struct dist d;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "42.5", NULL, &e), 0);
	T_EQ(d.kind, DIST_CONSTANT);
	CU_ASSERT_DOUBLE_EQUAL(dist_sample(&d, r), 42.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), 42.5, 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_variance(&d), 0, 0);
	dist_free(&d);
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "0", NULL, &e), 0);
	CU_ASSERT_DOUBLE_EQUAL(dist_sample(&d, r), 0, 0);
	dist_free(&d);
	gsl_rng_free(r);
}

struct bad {
	const char *json, *path, *msg;
};

static void test_dist_parse_errors(void)
{
	static const struct bad cases[] = {
		{ "\"fast\"", "$.d", "expected a number or an object naming a distribution (constant, uniform" },
		{ "-5", "$.d", "expected number in [0, inf], got -5" },
		{ "{}", "$.d", "expected one member naming a distribution" },
		{ "{\"gamma\": {\"k\": 1}}", "$.d.gamma", "unknown distribution 'gamma' (expected one of constant" },
		{ "{\"normal\": {\"mean\": 1, \"sd\": 2}, \"uniform\": {\"min\": 1, \"max\": 2}}", "$.d",
		  "expected one distribution, got both 'uniform' and 'normal'" },
		{ "{\"normal\": {\"mean\": 1, \"sd\": 2}, \"truncate\": true}", "$.d.truncate", "unknown member 'truncate'" },
		{ "{\"normal\": 5}", "$.d.normal", "expected an object, got number" },
		{ "{\"constant\": {\"value\": -3}}", "$.d.constant.value", "expected number in [0, inf], got -3" },
		{ "{\"constant\": {}}", "$.d.constant.value", "required member is missing" },
		{ "{\"constant\": {\"value\": 1, \"unit\": \"s\"}}", "$.d.constant.unit", "unknown member 'unit'" },
		{ "{\"uniform\": {\"min\": -1, \"max\": 5}}", "$.d.uniform.min", "expected number in [0, inf], got -1" },
		{ "{\"uniform\": {\"min\": 10, \"max\": 5}}", "$.d.uniform.max", "expected max >= min (10), got 5" },
		{ "{\"uniform\": {\"min\": 10}}", "$.d.uniform.max", "required member is missing" },
		{ "{\"exponential\": {\"mean\": 0}}", "$.d.exponential.mean", "expected number in (0, inf), got 0" },
		{ "{\"exponential\": {\"rate\": 2}}", "$.d.exponential.mean", "required member is missing" },
		{ "{\"exponential\": {\"mean\": 2, \"rate\": 2}}", "$.d.exponential.rate", "unknown member 'rate'" },
		{ "{\"normal\": {\"mean\": 1, \"sd\": -1}}", "$.d.normal.sd", "expected number in (0, inf), got -1" },
		{ "{\"normal\": {\"mean\": 1}}", "$.d.normal.sd", "required member is missing" },
		{ "{\"normal\": {\"mean\": \"1\", \"sd\": 1}}", "$.d.normal.mean", "got \"1\"" },
		{ "{\"normal\": {\"mean\": 1, \"sd\": 2, \"sdd\": 1}}", "$.d.normal.sdd", "unknown member 'sdd'" },
		{ "{\"lognormal\": {\"mu\": 5, \"sigma\": 0}}", "$.d.lognormal.sigma", "expected number in (0, inf), got 0" },
		{ "{\"lognormal\": {\"mu\": 5}}", "$.d.lognormal.sigma", "required member is missing" },
		{ "{\"lognormal\": {\"mu\": 1, \"sigma\": 1, \"mean\": 3}}", "$.d.lognormal",
		  "give either {mu, sigma} or {mean, sd}, not both" },
		{ "{\"lognormal\": {\"mean\": 1, \"sd\": 0}}", "$.d.lognormal.sd", "expected number in (0, inf), got 0" },
		{ "{\"lognormal\": {\"mean\": -1, \"sd\": 1}}", "$.d.lognormal.mean", "expected number in (0, inf), got -1" },
		{ "{\"lognormal\": {}}", "$.d.lognormal.mean", "required member is missing" },
		{ "{\"weibull\": {\"shape\": 0, \"scale\": 1}}", "$.d.weibull.shape", "expected number in (0, inf), got 0" },
		{ "{\"weibull\": {\"shape\": 1, \"scale\": \"x\"}}", "$.d.weibull.scale", "expected number in (0, inf), got string" },
		{ "{\"pareto\": {\"shape\": 2, \"scale\": -1}}", "$.d.pareto.scale", "expected number in (0, inf), got -1" },
		{ "{\"pareto\": {\"shape\": -2, \"scale\": 1}}", "$.d.pareto.shape", "expected number in (0, inf), got -2" },
		{ "{\"empirical\": {\"column\": \"x\"}}", "$.d.empirical.file", "required member is missing" },
		{ "{\"empirical\": {\"file\": \"\"}}", "$.d.empirical.file", "expected a file name" },
		{ "{\"empirical\": {\"file\": 3}}", "$.d.empirical.file", "expected string, got number" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct err e;
		struct dist d;
		char msg[1400];
		int rc = parse_text(&d, cases[i].json, NULL, &e);

		snprintf(msg, sizeof msg, "%.200s -> rc %d, file '%.200s', path '%.200s', msg '%.300s'", cases[i].json,
			 rc, e.file, e.path, e.msg);
		if (rc != -1 || strcmp(e.path, cases[i].path) != 0 ||
		    !strstr(e.msg, cases[i].msg) || strcmp(e.file, "s.json") != 0)
			T_FAIL(msg);
		CU_PASS(msg);
		dist_free(&d);
	}
}

/* ---------------------------------------------------------------- empirical */

static char tmpdir[256];

static int empirical_setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/ecsim-test-engine-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : 1;
}

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

static const char *const tmpfiles[] = {
	"runtimes.csv", "one.csv", "bad.csv", "neg.csv", "empty.csv", "header.csv",
	"ragged.csv", "quote.csv", "blank.csv",
};

static int empirical_teardown(void)
{
	char p[512];

	for (size_t i = 0; i < sizeof tmpfiles / sizeof tmpfiles[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", tmpdir, tmpfiles[i]);
		unlink(p);
	}
	return rmdir(tmpdir) ? 1 : 0;
}

static void test_empirical_draws(void)
{
	static const double vals[] = { 5, 17.5, 120, 0, 3600 };
	enum { K = 5, N = 100000 };
	struct err e;
	struct dist d;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	long count[K] = { 0 };
	int other = 0;
	double chi2 = 0, m = 0, v = 0;

	write_file("runtimes.csv", "id,seconds,name\n1,5,a\n2,17.5,b\n3,120,\"c, d\"\n4,0,e\n5,3.6e3,f\n");
	CU_ASSERT_EQUAL_FATAL(parse_text(&d, "{\"empirical\": {\"file\": \"runtimes.csv\", \"column\": \"seconds\"}}",
					 tmpdir, &e), 0);
	T_EQ(d.kind, DIST_EMPIRICAL);
	T_EQ(d.n_values, K);
	for (int k = 0; k < K; k++) {
		m += vals[k] / K;
		CU_ASSERT_DOUBLE_EQUAL(d.values[k], vals[k], 0);
	}
	for (int k = 0; k < K; k++)
		v += (vals[k] - m) * (vals[k] - m) / K;
	CU_ASSERT_DOUBLE_EQUAL(dist_mean(&d), m, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(dist_variance(&d), v, 1e-6);
	gsl_rng_set(r, 77);
	for (int i = 0; i < N; i++) {
		double x = dist_sample(&d, r);
		int k;

		for (k = 0; k < K && vals[k] != x; k++)
			;
		if (k == K)
			other++;
		else
			count[k]++;
	}
	T_EQ(other, 0);
	for (int k = 0; k < K; k++)
		chi2 += (count[k] - N / K) * (double)(count[k] - N / K) / (N / K);
	/* 4 degrees of freedom: P(chi2 > 25) ~ 5e-5 */
	CU_ASSERT(chi2 < 25);
	dist_free(&d);

	/* one column: "column" may be left out; absolute paths ignore base_dir */
	write_file("one.csv", "seconds\n1\n\n2\n");
	{
		char json[600];

		snprintf(json, sizeof json, "{\"empirical\": {\"file\": \"%s/one.csv\"}}", tmpdir);
		CU_ASSERT_EQUAL_FATAL(parse_text(&d, json, "/nonexistent", &e), 0);
		T_EQ(d.n_values, 2);
		dist_free(&d);
	}
	gsl_rng_free(r);
}

struct csvbad {
	const char *name, *text, *json_extra;
	long line, col;
	const char *path, *msg;
};

static void test_empirical_errors(void)
{
	static const struct csvbad cases[] = {
		{ "bad.csv", "a,b\n1,2\n3,abc\n", ", \"column\": \"b\"", 3, 2, "b", "expected number >= 0, got \"abc\"" },
		{ "neg.csv", "a\n1\n-2\n", "", 3, 1, "a", "expected number >= 0, got \"-2\"" },
		{ "neg.csv", "a\n1\n\n", "", 0, 0, "", "" },
		{ "bad.csv", "a,b\n1,\n", ", \"column\": \"b\"", 2, 2, "b", "expected number >= 0, got \"\"" },
		{ "bad.csv", "a,b\n1,2\n", ", \"column\": \"c\"", 1, 0, "", "no column 'c' in the header" },
		{ "bad.csv", "a,b\n1,2\n", "", 1, 0, "", "the file has 2 columns: say which one with \"column\"" },
		{ "empty.csv", "", "", 0, 0, "", "empty file: expected a header row" },
		{ "header.csv", "a\n", "", 0, 0, "", "no values after the header" },
		{ "ragged.csv", "a,b\n1,2\n3\n", ", \"column\": \"a\"", 3, 0, "", "expected 2 fields as in the header, got 1" },
		{ "quote.csv", "a\n1\n\"2\n", "", 3, 0, "", "malformed CSV" },
		{ "missing.csv", NULL, "", 0, 0, "", "cannot open: No such file or directory" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct csvbad *c = &cases[i];
		char json[600], want_file[512], msg[2000];
		struct err e;
		struct dist d;
		int rc;

		if (c->text)
			write_file(c->name, c->text);
		snprintf(json, sizeof json, "{\"empirical\": {\"file\": \"%s\"%s}}", c->name, c->json_extra);
		snprintf(want_file, sizeof want_file, "%s/%s", tmpdir, c->name);
		rc = parse_text(&d, json, tmpdir, &e);
		snprintf(msg, sizeof msg, "%.50s %.100s -> rc %d: %.300s:%ld:%ld: %.100s: %.300s", c->name,
			 c->text ? c->text : "(none)", rc, e.file, e.line, e.col, e.path, e.msg);
		if (!c->msg[0]) {
			/* control case: valid */
			if (rc != 0)
				T_FAIL(msg);
		} else if (rc != -1 || strcmp(e.file, want_file) != 0 || e.line != c->line ||
			   e.col != c->col || strcmp(e.path, c->path) != 0 || !strstr(e.msg, c->msg)) {
			T_FAIL(msg);
		}
		CU_PASS(msg);
		dist_free(&d);
	}
}

/* Queued events taken one after another must come with strictly growing
 * keys (time, class, number): `bad` counts those that do not. */
struct key_order {
	sim_time_t t;
	uint32_t cls;
	uint64_t seq;
	int have;
	uint64_t bad;
};

static void key_order_note(struct key_order *o, const struct event *ev)
{
	if (o->have && !(ev->t > o->t || (ev->t == o->t && (ev->cls > o->cls ||
	    (ev->cls == o->cls && ev->seq > o->seq)))))
		o->bad++;
	o->t = ev->t;
	o->cls = ev->cls;
	o->seq = ev->seq;
	o->have = 1;
}

/* Future events of a fixed delay leave the heap for a FIFO per (delay,
 * class) (sim.c); the run must still take every event in key order (time,
 * class, number) against the heap's random-delay events, "last" events,
 * held places and the instant's lane.  A random mix: types with fixed
 * delays (world and ordinary), one with random delays, zero delays; the
 * queued events (not the lane's, which carry no key) must come with
 * strictly growing keys, and every scheduled event must run once. */
struct mix {
	uint32_t ty[5];            /* fixed 5 ordinary, fixed 5 world, fixed 7, random, last */
	gsl_rng *r;
	uint64_t scheduled, ran, ghosts_run, bad_time;
	struct key_order ord;
	sim_time_t last_now;
};

static void mix_spawn(struct sim *s, struct mix *m);

static void mix_ghost(struct sim *s, void *ctx, uint64_t arg)
{
	struct mix *m = ctx;

	(void)arg;
	m->ghosts_run++;
	sim_after(s, 5, m->ty[0], NULL, 0);
	m->scheduled++;
}

static void on_mix(struct sim *s, void *ctx, const struct event *ev)
{
	struct mix *m = ctx;

	m->ran++;
	if (sim_now(s) < m->last_now)
		m->bad_time++;
	m->last_now = sim_now(s);
	if (ev->seq != 0 || ev->cls != 1) {  /* queued, not the lane's */
		key_order_note(&m->ord, ev);
	}
	if (m->scheduled < 200000)
		mix_spawn(s, m);
}

static void mix_spawn(struct sim *s, struct mix *m)
{
	int n = (int)gsl_rng_uniform_int(m->r, 4);

	for (int i = 0; i < n; i++) {
		unsigned long k = gsl_rng_uniform_int(m->r, 16);

		m->scheduled++;
		if (k < 5)
			sim_after(s, 5, m->ty[0], NULL, 0);
		else if (k < 9)
			sim_after(s, 5, m->ty[1], NULL, 0);
		else if (k < 11)
			sim_after(s, 7, m->ty[2], NULL, 0);
		else if (k < 13)
			sim_after(s, (sim_time_t)gsl_rng_uniform_int(m->r, 12), m->ty[3], NULL, 0);
		else if (k < 14)
			sim_at_last(s, sim_now(s) + (sim_time_t)gsl_rng_uniform_int(m->r, 6), m->ty[4], NULL, 0);
		else if (k < 15)
			sim_after(s, 0, m->ty[gsl_rng_uniform_int(m->r, 2)], NULL, 0);
		else {
			m->scheduled--;
			sim_ghost_after(s, 5, mix_ghost, m, 0);
		}
	}
}

static void test_sim_fixed_delay_fifos(void)
{
	struct sim *s = sim_new();
	struct mix m = { .r = gsl_rng_alloc(gsl_rng_mt19937) };

	gsl_rng_set(m.r, 42);
	m.ty[0] = sim_on(s, "fixed5", on_mix, &m);
	m.ty[1] = sim_on_world(s, "fixed5-world", on_mix, &m);
	m.ty[2] = sim_on(s, "fixed7", on_mix, &m);
	m.ty[3] = sim_on_world(s, "random", on_mix, &m);
	m.ty[4] = sim_on(s, "last", on_mix, &m);
	for (int i = 0; i < 50; i++) {
		sim_at(s, (sim_time_t)i, m.ty[i % 4], NULL, 0);
		m.scheduled++;
	}
	sim_run(s, SIM_TIME_MAX);
	CU_ASSERT(m.scheduled >= 200000);
	T_EQ(m.ran, m.scheduled);
	CU_ASSERT(m.ghosts_run > 0);
	T_EQ(m.ord.bad, 0);
	T_EQ(m.bad_time, 0);
	T_EQ(sim_pending(s), 0);
	gsl_rng_free(m.r);
	sim_free(s);
}

/* The FIFO of the shorter delay, filled after the longer one's, still runs
 * first: 6 events of delay 7 and then 6 of delay 3 scheduled at time 0 (the
 * last 2 of each past the 4 that show a fixed delay go to FIFOs) run as the
 * 6 at 3 and then the 6 at 7, each six in the order scheduled. */
static void test_sim_fifo_later_shorter(void)
{
	struct sim *s = sim_new();
	struct rec log = { 0 }, a = { .who = 'a', .shared = &log }, b = { .who = 'b', .shared = &log };
	uint32_t ta = sim_on(s, "a", on_rec, &a), tb = sim_on(s, "b", on_rec, &b);

	for (uint64_t i = 0; i < 6; i++)
		sim_after(s, 7, ta, NULL, i);
	for (uint64_t i = 0; i < 6; i++)
		sim_after(s, 3, tb, NULL, i);
	T_EQ(sim_pending(s), 12);
	T_EQ(sim_run(s, SIM_TIME_MAX), 12);
	T_EQ(log.n, 12);
	for (int i = 0; i < 12; i++) {
		T_EQ(log.log[i].who, i < 6 ? 'b' : 'a');
		T_EQ(log.log[i].t, i < 6 ? 3 : 7);
		T_EQ(log.log[i].arg, (uint64_t)(i % 6));
	}
	sim_free(s);
}

/* Many FIFOs at once (sim.c keeps the ones that hold events in a list
 * sorted by first key): 12 types, each with a fixed delay of its own (1 to
 * 12 ms, so first keys tie in time across FIFOs), half of them world
 * types; each event schedules 0 to 3 of random types, so FIFOs empty and
 * fill again at every place in the list.  The queued events must come with
 * strictly growing keys (time, class, number) and every one must run. */
struct many {
	uint32_t ty[12];
	gsl_rng *r;
	uint64_t scheduled, ran;
	struct key_order ord;
};

static void on_many(struct sim *s, void *ctx, const struct event *ev)
{
	struct many *m = ctx;
	int n = (int)gsl_rng_uniform_int(m->r, 4);

	m->ran++;
	key_order_note(&m->ord, ev);
	for (int i = 0; i < n && m->scheduled < 300000; i++) {
		unsigned long k = gsl_rng_uniform_int(m->r, 12);

		sim_after(s, (sim_time_t)k + 1, m->ty[k], NULL, 0);
		m->scheduled++;
	}
}

static void test_sim_many_fifos(void)
{
	struct sim *s = sim_new();
	struct many m = { .r = gsl_rng_alloc(gsl_rng_mt19937) };
	char name[12][16];

	gsl_rng_set(m.r, 7);
	for (int k = 0; k < 12; k++) {
		snprintf(name[k], sizeof name[k], "d%d", k + 1);
		m.ty[k] = k % 2 ? sim_on_world(s, name[k], on_many, &m) : sim_on(s, name[k], on_many, &m);
	}
	for (int i = 0; i < 40; i++) {
		sim_at(s, (sim_time_t)(i % 5), m.ty[i % 12], NULL, 0);
		m.scheduled++;
	}
	sim_run(s, SIM_TIME_MAX);
	CU_ASSERT(m.scheduled >= 300000);
	T_EQ(m.ran, m.scheduled);
	T_EQ(m.ord.bad, 0);
	T_EQ(sim_pending(s), 0);
	gsl_rng_free(m.r);
	sim_free(s);
}

/* A FIFO that emptied is taken over by another (delay, class): a world
 * type's 6 events of delay 5 (the last 2 in a FIFO) run; then an ordinary
 * type's 6 of delay 5 (the last 2 in that FIFO, now empty, so taken over
 * as the ordinary class's) and one more of the world type, scheduled
 * last: at their instant the world event still runs first (sim.h rule 2),
 * then the ordinary ones in the order scheduled.  (sim.c: a type that
 * remembers a FIFO taken over forgets it; else the world event goes into
 * the ordinary class's FIFO and runs last.) */
static void test_sim_fifo_taken_over(void)
{
	struct sim *s = sim_new();
	struct rec log = { 0 }, w = { .who = 'w', .shared = &log }, o = { .who = 'o', .shared = &log };
	uint32_t tw = sim_on_world(s, "w", on_rec, &w), to = sim_on(s, "o", on_rec, &o);

	for (uint64_t i = 0; i < 6; i++)
		sim_after(s, 5, tw, NULL, i);
	T_EQ(sim_run(s, SIM_TIME_MAX), 6);
	T_EQ(sim_now(s), 5);
	for (uint64_t i = 0; i < 6; i++)
		sim_after(s, 5, to, NULL, i);
	sim_after(s, 5, tw, NULL, 6);
	T_EQ(sim_run(s, SIM_TIME_MAX), 7);
	T_EQ(log.n, 13);
	T_EQ(log.log[6].who, 'w');
	T_EQ(log.log[6].arg, 6);
	for (int k = 7; k < 13; k++) {
		T_EQ(log.log[k].who, 'o');
		T_EQ(log.log[k].t, 10);
		T_EQ(log.log[k].arg, (uint64_t)(k - 7));
	}
	sim_free(s);
}

/* The engine over the wheel's levels (evq.c): events of world, ordinary
 * and "last" types and held places with delays that tie (0 to 3 ms), cross
 * blocks (up to 200 s), reach level 1's end and the heap past it
 * (2^(EVQ_BLOCK_BITS + EVQ_W1_BITS) ms and more), run by sim_run in steps
 * of a random horizon, some scheduled between the runs.  Every queued
 * event must come with a strictly greater key (time, class, number) than
 * the one before, none at or before the previous step's horizon (each
 * step runs everything up to its own) but those scheduled between, and
 * every one must run. */
struct wmix {
	uint32_t ty[3];            /* ordinary, world, last */
	uint32_t held;
	gsl_rng *r;
	uint64_t scheduled, ran, held_run, late, early;
	struct key_order ord;
	sim_time_t prev_until, until;
};

static sim_time_t wmix_delay(struct wmix *m)
{
	enum { L = EVQ_BLOCK_BITS + EVQ_W1_BITS };

	switch (gsl_rng_uniform_int(m->r, 8)) {
	case 0: case 1: case 2:
		return (sim_time_t)gsl_rng_uniform_int(m->r, 4);
	case 3: case 4:
		return (sim_time_t)gsl_rng_uniform_int(m->r, 200000);
	case 5:
		return (sim_time_t)gsl_rng_uniform_int(m->r, (UINT64_C(1) << L) + 300000);
	case 6:
		return (sim_time_t)((UINT64_C(1) << L) - 70000 + gsl_rng_uniform_int(m->r, 140000));
	default:
		return (sim_time_t)gsl_rng_uniform_int(m->r, 1000) * ((sim_time_t)1 << 30);
	}
}

static void wmix_spawn(struct sim *s, struct wmix *m)
{
	int n = (int)gsl_rng_uniform_int(m->r, 3) + (m->scheduled < 3000);

	for (int i = 0; i < n && m->scheduled < 120000; i++) {
		unsigned long k = gsl_rng_uniform_int(m->r, 8);
		sim_time_t d = wmix_delay(m);

		m->scheduled++;
		if (k < 3)
			sim_after(s, d, m->ty[k % 2], NULL, 0);
		else if (k < 5)
			sim_at(s, sim_now(s) + d, m->ty[1 - k % 2], NULL, 0);
		else if (k < 6)
			sim_at_last(s, sim_now(s) + d, m->ty[2], NULL, 0);
		else
			sim_held_after(s, d + 1, m->held, 0);
	}
}

static void wmix_note(struct wmix *m, sim_time_t t)
{
	if (t > m->until)
		m->late++;
	if (t <= m->prev_until)
		m->early++;
}

static void wmix_held(struct sim *s, void *ctx, uint64_t arg)
{
	struct wmix *m = ctx;

	(void)arg;
	m->held_run++;
	m->ran++;
	wmix_note(m, sim_now(s));
	wmix_spawn(s, m);
}

static void on_wmix(struct sim *s, void *ctx, const struct event *ev)
{
	struct wmix *m = ctx;

	m->ran++;
	wmix_note(m, sim_now(s));
	if (ev->seq != 0 || ev->cls != 1)    /* queued, not the lane's */
		key_order_note(&m->ord, ev);
	wmix_spawn(s, m);
}

static void test_sim_wheel_levels(void)
{
	struct sim *s = sim_new();
	struct wmix m = { .r = gsl_rng_alloc(gsl_rng_mt19937), .prev_until = -1 };
	int steps = 0;

	gsl_rng_set(m.r, 99);
	m.ty[0] = sim_on(s, "ordinary", on_wmix, &m);
	m.ty[1] = sim_on_world(s, "world", on_wmix, &m);
	m.ty[2] = sim_on(s, "last", on_wmix, &m);
	m.held = sim_on_held(s, wmix_held, &m);
	for (int i = 0; i < 20; i++) {
		sim_at(s, (sim_time_t)i * 1000, m.ty[i % 3], NULL, 0);
		m.scheduled++;
	}
	while (sim_pending(s) > 0 && steps < 100000) {
		/* a horizon a little past the last, or far */
		unsigned long k = gsl_rng_uniform_int(m.r, 32);

		m.until = m.prev_until + 1 + (k == 0 ? (sim_time_t)1 << 40 :
					      k < 8 ? (sim_time_t)gsl_rng_uniform_int(m.r, UINT64_C(1) << 31) :
					      (sim_time_t)gsl_rng_uniform_int(m.r, 300000));
		sim_run(s, m.until);
		m.prev_until = m.until;
		steps++;
		/* events scheduled between runs, from the clock on (a model's
		 * set-up does so): before the next horizon's events */
		if (gsl_rng_uniform_int(m.r, 2) && m.scheduled < 120000) {
			m.prev_until = sim_now(s) - 1;
			m.ord.have = 0;    /* a key at the clock may precede the last run */
			wmix_spawn(s, &m);
		}
	}
	CU_ASSERT(m.scheduled >= 120000);
	CU_ASSERT(m.held_run > 10000);
	CU_ASSERT(steps > 100);
	T_EQ(sim_pending(s), 0);
	T_EQ(m.ran, m.scheduled);
	T_EQ(m.ord.bad, 0);
	T_EQ(m.late, 0);
	T_EQ(m.early, 0);
	gsl_rng_free(m.r);
	sim_free(s);
}

/* ---------------------------------------------------------------- suites */

/* Held places share the queue with events (sim.c): held places and world
 * events of one delay, scheduled in turn, run in turn (time, class,
 * number), past the 4 of each that go to the heap before a FIFO takes the
 * delay; held places of two contexts keep apart; they are neither counted
 * by sim_run nor by the bound on events at one instant. */
static void rec_ghost(struct sim *s, void *ctx, uint64_t arg)
{
	struct rec *r = ctx, *l = r->shared;

	if (l->n < 64)
		l->log[l->n++] = (struct logent){ r->who, sim_now(s), NULL, arg };
}

static void test_sim_held_places_in_turn(void)
{
	struct sim *s = sim_new();
	struct rec log = { 0 }, w = { .who = 'w', .shared = &log }, g = { .who = 'g', .shared = &log },
		   h = { .who = 'h', .shared = &log };
	uint32_t tw = sim_on_world(s, "w", on_rec, &w);

	for (uint64_t i = 0; i < 10; i++) {
		sim_after(s, 5, tw, NULL, i);
		sim_ghost_after(s, 5, rec_ghost, i % 2 ? &h : &g, i);
	}
	T_EQ(sim_pending(s), 20);
	sim_limit_instant(s, 10);
	T_EQ(sim_run(s, SIM_TIME_MAX), 10);      /* the held places are not events */
	CU_ASSERT(!sim_stuck(s, NULL, NULL));
	T_EQ(log.n, 20);
	for (int k = 0; k < 20; k++) {
		T_EQ(log.log[k].who, k % 2 ? (k / 2 % 2 ? 'h' : 'g') : 'w');
		T_EQ(log.log[k].t, 5);
		T_EQ(log.log[k].arg, (uint64_t)(k / 2));
	}
	T_EQ(sim_pending(s), 0);
	sim_free(s);
}

/* sim_on_hint (sim.h): a hint is called with the argument of the queue's
 * next event, after the running one left the queue and before its handler
 * runs; it changes nothing.  Random schedules of hinted world, ordinary
 * and held types and an unhinted type, run with and without hints: the
 * same run order; every hint names the next item run (handlers that
 * schedule nothing), or an item run later (handlers that schedule
 * follow-ups, some for now, which may go first); and within one block of
 * the wheel (2^16 ms) with nothing scheduled by the handlers, exactly the
 * hints the rule gives: before the run of item i, one of item i+1 when its
 * type is hinted. */
#define HL_MAX 4096
struct hlog {
	char what[HL_MAX];      /* 'H' a hint, 'R' a run */
	uint64_t arg[HL_MAX];
	int n;
	int follow;             /* the ordinary type's handler schedules a follow-up */
	uint32_t t_plain;
	uint64_t next_arg;
};

static void hlog_put(struct hlog *l, char w, uint64_t arg)
{
	if (l->n < HL_MAX) {
		l->what[l->n] = w;
		l->arg[l->n++] = arg;
	}
}

static void hint_rec(void *ctx, uint64_t arg)
{
	hlog_put(ctx, 'H', arg);
}

static void run_rec(struct sim *s, void *ctx, const struct event *ev)
{
	struct hlog *l = ctx;

	hlog_put(l, 'R', ev->arg);
	if (l->follow && ev->arg % 3 == 0)   /* follow-ups: now, 1 ms and 50 ms on */
		sim_after(s, (sim_time_t)(ev->arg / 3 % 3 == 2 ? 50 : ev->arg / 3 % 3), l->t_plain, l, l->next_arg++);
}

static void run_rec_plain(struct sim *s, void *ctx, const struct event *ev)
{
	(void)s;
	hlog_put(ctx, 'R', ev->arg);
}

static void held_rec(struct sim *s, void *ctx, uint64_t arg)
{
	(void)s;
	hlog_put(ctx, 'R', arg);
}

static void hint_schedule(struct sim *s, struct hlog *l, int hints, gsl_rng *r, sim_time_t span, int *hinted)
{
	uint32_t tw = sim_on_world(s, "w", run_rec_plain, l), to = sim_on(s, "o", run_rec, l),
		 tp = sim_on(s, "p", run_rec_plain, l), tg = sim_on_held(s, held_rec, l);

	l->t_plain = tp;
	if (hints) {
		sim_on_hint(s, tw, hint_rec);
		sim_on_hint(s, to, hint_rec);
		sim_on_hint(s, tg, hint_rec);
	}
	for (uint64_t k = 0; k < 300; k++) {
		sim_time_t t = 1 + (sim_time_t)gsl_rng_uniform_int(r, (unsigned long)span);
		int kind = (int)gsl_rng_uniform_int(r, 4);

		hinted[k] = kind != 2;
		if (kind == 3)
			sim_held_after(s, t, tg, k);
		else
			sim_at(s, t, kind == 0 ? tw : kind == 1 ? to : tp, l, k);
	}
	l->next_arg = 300;
}

static void test_sim_hints(void)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	for (int trial = 0; trial < 60; trial++) {
		static struct hlog a, b;
		struct sim *sa = sim_new(), *sb = sim_new();
		int hinted[300], follow = trial % 3 == 2, one_block = trial % 3 == 0;
		sim_time_t span = one_block ? 3000 : 400000;
		int nr = 0, ok = 1;
		uint64_t runs[HL_MAX];

		memset(&a, 0, sizeof a);
		memset(&b, 0, sizeof b);
		a.follow = b.follow = follow;
		gsl_rng_set(r, (unsigned long)trial + 1);
		hint_schedule(sa, &a, 1, r, span, hinted);
		gsl_rng_set(r, (unsigned long)trial + 1);
		hint_schedule(sb, &b, 0, r, span, hinted);
		sim_run(sa, SIM_TIME_MAX);
		sim_run(sb, SIM_TIME_MAX);
		CU_ASSERT_FATAL(a.n < HL_MAX && b.n < HL_MAX);
		/* the same runs in the same order (b has no hints) */
		for (int k = 0; k < b.n; k++)
			runs[k] = b.arg[k];
		for (int k = 0; k < a.n; k++)
			if (a.what[k] == 'R' && (nr >= b.n || a.arg[k] != runs[nr++]))
				ok = 0;
		CU_ASSERT(ok && nr == b.n);
		/* each hint comes right before a run and names a later run:
		 * the very next one when no handler schedules */
		for (int k = 0, ri = 0; k < a.n; k++) {
			if (a.what[k] == 'R') {
				ri++;
				continue;
			}
			CU_ASSERT(k + 1 < a.n && a.what[k + 1] == 'R');
			CU_ASSERT(a.arg[k] < 300 ? hinted[a.arg[k]] : 0);
			if (!follow) {
				CU_ASSERT(ri + 1 < b.n && runs[ri + 1] == a.arg[k]);
			} else {
				int later = 0;

				for (int j = ri + 1; j < b.n; j++)
					later |= runs[j] == a.arg[k];
				CU_ASSERT(later);
			}
		}
		if (one_block && !follow) {
			/* exactly the rule's hints */
			int k = 0;

			for (int i = 0; i < b.n; i++) {
				if (i + 1 < b.n && hinted[runs[i + 1]]) {
					CU_ASSERT(k < a.n && a.what[k] == 'H' && a.arg[k] == runs[i + 1]);
					k++;
				}
				CU_ASSERT(k < a.n && a.what[k] == 'R' && a.arg[k] == runs[i]);
				k++;
			}
			T_EQ(k, a.n);
		}
		sim_free(sa);
		sim_free(sb);
	}
	gsl_rng_free(r);
}

static CU_TestInfo evq_tests[] = {
	{ "empty queue", test_evq_empty },
	{ "ties against a sorted-array oracle", test_evq_sorted_oracle },
	{ "10^5 events in order", test_evq_large },
	{ "interleaved push/pop against a scan", test_evq_interleaved },
	{ "the wheel's levels, edges and classes against a scan", test_evq_wheel_oracle },
	{ "many events at one millisecond in mixed classes", test_evq_one_instant },
	{ "settled blocks in an arena, among pushes into their milliseconds", test_evq_arena },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sim_tests[] = {
	{ "dispatch to the registered handler and ctx", test_sim_dispatch },
	{ "run until leaves later events queued", test_sim_until },
	{ "events scheduled for now run after the current one", test_sim_same_time },
	{ "sim_at_next: a source's next item for now waits for the whole lane", test_sim_at_next },
	{ "sim_stop", test_sim_stop },
	{ "sim_stop with the lane's events left; the dispatching flag", test_sim_stop_with_lane },
	{ "a run called from a handler keeps the outer run's horizon", test_sim_nested_run },
	{ "fixed-delay FIFOs keep the key order", test_sim_fixed_delay_fifos },
	{ "a later-filled FIFO of a shorter delay goes first", test_sim_fifo_later_shorter },
	{ "held places and events of one delay run in turn", test_sim_held_places_in_turn },
	{ "many FIFOs at once keep the key order", test_sim_many_fifos },
	{ "a FIFO taken over by the other class keeps the classes' order", test_sim_fifo_taken_over },
	{ "the wheel's levels in steps of a horizon keep the key order", test_sim_wheel_levels },
	{ "hints name the next event and change nothing", test_sim_hints },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo rng_tests[] = {
	{ "same name, same draws", test_rng_same_name },
	{ "names and seeds differ", test_rng_names_and_seeds_differ },
	{ "other streams do not shift a stream", test_rng_order_independent },
	{ "32-bit seed collisions are re-mixed", test_rng_collision },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo dist_tests[] = {
	{ "sample moments match theory", test_dist_moments },
	{ "theoretical moments", test_dist_theory },
	{ "truncated normal never negative", test_dist_normal_nonnegative },
	{ "bare number is a constant", test_dist_bare_number },
	{ "parse errors name their path", test_dist_parse_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo empirical_tests[] = {
	{ "draws listed values uniformly", test_empirical_draws },
	{ "file errors name file:line:col", test_empirical_errors },
	CU_TEST_INFO_NULL,
};

CU_SuiteInfo test_suites[] = {
	{ "evq", NULL, NULL, NULL, NULL, evq_tests },
	{ "sim", NULL, NULL, NULL, NULL, sim_tests },
	{ "rng", NULL, NULL, NULL, NULL, rng_tests },
	{ "dist", NULL, NULL, NULL, NULL, dist_tests },
	{ "empirical", empirical_setup, empirical_teardown, NULL, NULL, empirical_tests },
	CU_SUITE_INFO_NULL,
};
