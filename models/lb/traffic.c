/* models/lb/traffic.c — requests through the load balancer
 * (docs/ecs-model.md §6.4, §6.5).
 *
 * Per request: an arrival event (which also draws the next arrival) and a
 * completion event; a request that has to wait in a target's queue also
 * gets a client-timeout event.  A request's times are exact to the
 * microsecond (arrivals, service draws, timeouts: docs/ecs-model.md choice
 * E215), not rounded to the engine's millisecond, so millisecond-scale
 * service times keep their queueing (Erlang B, M/M/c/K).  These request
 * events live in the lb's own queue ordered by (exact time, order
 * scheduled), not in the engine's: one engine event (lb/requests) wakes
 * the lb at the millisecond that holds the earliest (floor of its exact
 * time), and it runs every request event of that millisecond in the order
 * of their exact times, including those the millisecond's events schedule
 * into it (a 0.3-ms service).  The queue is a timing wheel of 1-ms slots
 * for the next LB_WHEEL ms and a 4-ary heap: a slot is moved into the heap
 * when its millisecond comes, and the heap orders it.  The client timeouts
 * of a group fall due in the order scheduled (one timeout per group), so
 * they wait in a FIFO per group with only its head in the heap; a request
 * that started service or ended is skipped there at no cost.
 * docs/ecs-model.md choice E70 says where the lb's events fall among other
 * models' events of the same millisecond.
 * Requests live in a pool with a free list,
 * so memory follows the requests in flight, never the requests served.
 * Each LB node (enabled AZ) gets an equal share of the arrivals among the
 * nodes DNS hands out; a node routes within its scope (its AZ when
 * cross-zone is off, every AZ when on) by the group's algorithm.  Each
 * target has `workersPerTask` workers and a FIFO queue of `queueLimit`.
 * Outcomes: served, 503 (no target / queue full), 502 (the target died or
 * the deregistration delay ended while the request was in flight, or the
 * target's instance is already dead), 504 (the client timeout passed).
 *
 * Aggregate mode: no request events; between any two changes (state,
 * metrics tick) each target is an M/M/c/K queue at its share of the rate,
 * and the expected outcomes are added (models/lb/mmck.h); a drain cut (its
 * delay over, its target dead) costs the expected number left of what the
 * target had in flight at its deregistration (502s, mmck_drain_left).
 */
#include "lb_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "models/lb/mmck.h"
#include "sim/csvin.h"
#include "sim/mem.h"
#include "sim/sim.h"

struct mmck_cache {
	double lam;
	struct mmck q;
	struct mmck_to to;          /* outcomes with the client timeout */
	double tail[LB_GRID];       /* P(T > grid point | served) */
	double tail_slo;            /* P(T > the SLO's latency | served) */
};

/* --- the rate of the arrival process at time t (s) --- */

static double rate_at(struct lb_tg *g, double t)
{
	const struct lb_traffic_cfg *c = &g->cfg->traffic;

	switch (c->arrival) {
	case LB_ARR_POISSON:
		return c->rate;
	case LB_ARR_CURVE:
		while (g->curve_i + 1 < c->n_curve && c->curve_t[g->curve_i + 1] <= t)
			g->curve_i++;
		while (g->curve_i > 0 && c->curve_t[g->curve_i] > t)
			g->curve_i--;
		return c->curve_rate[g->curve_i];
	case LB_ARR_DAILY: {
		double hour = fmod(t / 3600.0, 24.0);

		if (c->has_hourly)
			return c->rate * c->hourly[(int)hour % 24];
		return c->rate * (1 + c->amplitude * cos(2 * M_PI * (hour - c->peak_hour) / 24));
	}
	default:
		return 0;
	}
}

/* --- request pool --- */

static int32_t req_alloc(struct lb *lb)
{
	int32_t id = lb->free_req;

	if (id >= 0) {
		lb->free_req = lb->req[id].next;
		return id;
	}
	if (lb->n_req == lb->cap_req) {
		lb->cap_req = lb->cap_req ? lb->cap_req * 2 : 1024;
		lb->req = xrealloc(lb->req, sizeof *lb->req * (size_t)lb->cap_req);
	}
	lb->req[lb->n_req].gen = 0;
	return lb->n_req++;
}

static void req_free(struct lb *lb, int32_t id)
{
	lb->req[id].gen++;
	lb->req[id].target = -1;
	lb->req[id].next = lb->free_req;
	lb->free_req = id;
}

/* --- the lb's own queue of request events --- */

enum { REV_ARR = 1, REV_DONE = 2, REV_TMO = 3 };

/* Exact request times are integer µs (docs/ecs-model.md choice E215); an
 * event runs at the engine's millisecond that holds it, [t, t + 1) ms. */
#define US_PER_MS 1000
#define US_LONG SIM_TIME_LONG       /* "never", µs */

static sim_time_t ms_of(int64_t tu)
{
	return tu / US_PER_MS;
}

static int64_t us_of_s(double seconds)
{
	if (!(seconds > 0))
		return 0;
	if (seconds >= (double)(US_LONG / 1000000))
		return US_LONG;
	return (int64_t)llround(seconds * 1e6);
}

static int64_t us_of_ms(sim_time_t ms)
{
	return ms >= US_LONG / US_PER_MS ? US_LONG : ms * US_PER_MS;
}

static int rev_before(const struct lb_rev *a, const struct lb_rev *b)
{
	return a->tu != b->tu ? a->tu < b->tu : a->seq < b->seq;
}

static void heap_push(struct lb *lb, struct lb_rev ev)
{
	size_t i;

	XGROW(lb->heap, lb->cap_heap, lb->n_heap + 1);
	i = lb->n_heap++;
	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (!rev_before(&ev, &lb->heap[p]))
			break;
		lb->heap[i] = lb->heap[p];
		i = p;
	}
	lb->heap[i] = ev;
}

static struct lb_rev heap_pop(struct lb *lb)
{
	struct lb_rev top = lb->heap[0], last = lb->heap[--lb->n_heap];
	size_t i = 0, n = lb->n_heap;

	for (;;) {
		size_t c = 4 * i + 1, best = c, end;

		if (c >= n)
			break;
		end = c + 4 < n ? c + 4 : n;
		for (size_t k = c + 1; k < end; k++)
			if (rev_before(&lb->heap[k], &lb->heap[best]))
				best = k;
		if (!rev_before(&lb->heap[best], &last))
			break;
		lb->heap[i] = lb->heap[best];
		i = best;
	}
	if (n > 0)
		lb->heap[i] = last;
	return top;
}

/* The timing wheel: slot t % LB_WHEEL holds the events of the millisecond
 * t, for t in (now, now + LB_WHEEL), unordered: when t comes, rev_take
 * moves the slot into the heap, which orders it by exact time. */
static void wheel_init(struct lb *lb)
{
	lb->w_head = xmalloc(sizeof *lb->w_head * LB_WHEEL);
	lb->w_tail = xmalloc(sizeof *lb->w_tail * LB_WHEEL);
	lb->w_bits = xcalloc(LB_WHEEL / 64, sizeof *lb->w_bits);
	for (int i = 0; i < LB_WHEEL; i++)
		lb->w_head[i] = lb->w_tail[i] = -1;
	lb->free_node = -1;
}

static void wheel_push(struct lb *lb, int64_t tu, uint64_t seq, uint32_t kind_tg, int32_t rid)
{
	size_t slot = (size_t)ms_of(tu) & (LB_WHEEL - 1);
	int32_t id = lb->free_node;

	if (id >= 0) {
		lb->free_node = lb->nodes[id].next;
	} else {
		if (lb->n_nodes == lb->cap_nodes) {
			lb->cap_nodes = lb->cap_nodes ? 2 * lb->cap_nodes : 1024;
			lb->nodes = xrealloc(lb->nodes, sizeof *lb->nodes * (size_t)lb->cap_nodes);
		}
		id = lb->n_nodes++;
	}
	lb->nodes[id] = (struct lb_node){ tu, seq, kind_tg, rid, -1 };
	if (lb->w_tail[slot] >= 0) {
		lb->nodes[lb->w_tail[slot]].next = id;
	} else {
		lb->w_head[slot] = id;
		lb->w_bits[slot / 64] |= UINT64_C(1) << (slot % 64);
	}
	lb->w_tail[slot] = id;
	lb->w_count++;
}

/* The first t >= from with a non-empty slot (SIM_TIME_MAX: none). */
static sim_time_t wheel_next(const struct lb *lb, sim_time_t from)
{
	size_t slot = (size_t)from & (LB_WHEEL - 1), w = slot / 64;
	uint64_t bits;

	if (lb->w_count == 0)
		return SIM_TIME_MAX;
	bits = lb->w_bits[w] & (~UINT64_C(0) << (slot % 64));
	for (size_t k = 0; k <= LB_WHEEL / 64; k++) {
		if (bits) {
			size_t s = (w * 64 + (size_t)__builtin_ctzll(bits) - slot) & (LB_WHEEL - 1);

			return from + (sim_time_t)s;
		}
		w = (w + 1) % (LB_WHEEL / 64);
		bits = lb->w_bits[w];
	}
	return SIM_TIME_MAX;
}

/* The millisecond of the earliest event at or after the millisecond
 * `from` (SIM_TIME_MAX: none). */
static sim_time_t rev_next_time(const struct lb *lb, sim_time_t from)
{
	sim_time_t t = wheel_next(lb, from);

	return lb->n_heap > 0 && ms_of(lb->heap[0].tu) < t ? ms_of(lb->heap[0].tu) : t;
}

/* Take the next event of the millisecond `now`, the earliest by (exact
 * time, order scheduled), into *ev; 0 when none is left.  The wheel's slot
 * of `now` first moves into the heap. */
static int rev_take(struct lb *lb, sim_time_t now, struct lb_rev *ev)
{
	size_t slot = (size_t)now & (LB_WHEEL - 1);
	int32_t id = lb->w_head[slot];

	if (id >= 0) {
		while (id >= 0) {
			struct lb_node *n = &lb->nodes[id];
			int32_t next = n->next;

			heap_push(lb, (struct lb_rev){ n->tu, n->seq, n->kind_tg, n->rid });
			n->next = lb->free_node;
			lb->free_node = id;
			lb->w_count--;
			id = next;
		}
		lb->w_head[slot] = lb->w_tail[slot] = -1;
		lb->w_bits[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
	}
	if (lb->n_heap == 0 || ms_of(lb->heap[0].tu) > now)
		return 0;
	*ev = heap_pop(lb);
	return 1;
}

/* The engine wakes the lb at its earliest request event (a stale wake is
 * ignored by its generation). */
static void wake_at(struct lb *lb, sim_time_t t)
{
	if (lb->in_wake || t >= lb->wake_t)
		return;
	lb->wake_t = t;
	lb->wake_gen++;
	sim_at(lb->s, t, lb->ev_wake, NULL, lb->wake_gen);
}

/* Queue an event at the exact time tu (µs, not before the engine's
 * millisecond): the wheel when its millisecond is later and near, else the
 * heap (the millisecond being run, or far).  A timeout cursor carries the
 * seq of its (older) timeout; the heap orders it like any other. */
static void rev_push(struct lb *lb, int64_t tu, uint64_t seq, uint32_t kind_tg, int32_t rid)
{
	sim_time_t t = ms_of(tu), now = sim_now(lb->s);

	if (t > now && t - now < LB_WHEEL && (kind_tg >> 24) != REV_TMO)
		wheel_push(lb, tu, seq, kind_tg, rid);
	else
		heap_push(lb, (struct lb_rev){ tu, seq, kind_tg, rid });
	wake_at(lb, t);
}

/* Schedule a request event of group g at the exact time tu (µs).  One of
 * the millisecond being run (a 0.3-ms service) joins it in order; outside
 * a wake-up, the lb wakes at this millisecond. */
static void rev_at(struct lb *lb, struct lb_tg *g, int64_t tu, int kind, int32_t rid)
{
	int64_t now_us = us_of_ms(sim_now(lb->s));

	rev_push(lb, tu > now_us ? tu : now_us, lb->seq++, (uint32_t)kind << 24 | (uint32_t)g->idx, rid);
}

static void tmo_push(struct lb *lb, struct lb_tg *g, int64_t tu, int32_t rid, uint32_t gen)
{
	struct lb_tmo e = { tu, lb->seq++, rid, gen };

	if (g->tmo_n == g->tmo_cap) {
		size_t cap = g->tmo_cap ? 2 * g->tmo_cap : 256;
		struct lb_tmo *r = xmalloc(cap * sizeof *r);

		for (size_t i = 0; i < g->tmo_n; i++)
			r[i] = g->tmo[(g->tmo_head + i) % g->tmo_cap];
		free(g->tmo);
		g->tmo = r;
		g->tmo_cap = cap;
		g->tmo_head = 0;
	}
	g->tmo[(g->tmo_head + g->tmo_n++) % g->tmo_cap] = e;
	if (g->tmo_n == 1)         /* the new head: its cursor enters the queue */
		rev_push(lb, tu, e.seq, (uint32_t)REV_TMO << 24 | (uint32_t)g->idx, 0);
}

/* --- accounting --- */

/* lat and wait: exact, µs; the histogram takes the latency to the
 * nearest ms */
static void count_end(struct lb_tg *g, int node, enum lb_outcome o, int64_t lat, int64_t wait,
		      int queued)
{
	struct lb_row *r[3] = { &g->iv, &g->run, !g->cross && node >= 0 ? &g->iv_az[node] : NULL };

	for (int k = 0; k < 3; k++) {
		if (!r[k])
			continue;
		switch (o) {
		case LB_SERVED:
			r[k]->served++;
			r[k]->lat_sum += (double)lat / US_PER_MS;
			r[k]->wait_sum += (double)wait / US_PER_MS;
			r[k]->waited += queued;
			lb_lat_add_ms(&r[k]->lat, (lat + US_PER_MS / 2) / US_PER_MS);
			if (g->cfg->has_slo && g->cfg->slo_p99_ms > 0 &&
			    (double)lat / US_PER_MS > g->cfg->slo_p99_ms)
				r[k]->lat.over_slo++;
			break;
		case LB_E502: r[k]->e502++; break;
		case LB_E503: r[k]->e503++; break;
		case LB_E504: r[k]->e504++; break;
		}
	}
}

static void count_arrival(struct lb_tg *g, int node)
{
	g->iv.arrivals++;
	g->run.arrivals++;
	if (!g->cross && node >= 0)
		g->iv_az[node].arrivals++;
}

/* arr, start, end: exact, µs (-1: none); the callback gets the
 * milliseconds that hold them */
static void report(struct lb *lb, struct lb_tg *g, int ti, enum lb_outcome o, int64_t arr,
		   int64_t start, int64_t end, int queued)
{
	if (lb->cb.on_request)
		lb->cb.on_request(lb->cb.ctx, g->idx, ti, o, arr < 0 ? -1 : ms_of(arr),
				  start < 0 ? -1 : ms_of(start), ms_of(end), queued);
}

/* --- routing --- */

static int pick_node(struct lb_tg *g)
{
	if (g->dirty)
		lb_scope_refresh(g);
	if (g->n_node_ok <= 0)
		return -1;
	if (g->n_node_ok == 1)
		return g->node_ok[0];
	return g->node_ok[gsl_rng_uniform_int(g->r, (unsigned long)g->n_node_ok)];
}

static double ss_weight(const struct lb_tg *g, struct lb_tgt *t, sim_time_t now)
{
	double w = (double)(now - t->healthy_at) / (double)g->cfg->slow_start;

	if (w >= 1) {
		t->slow = 0;
		return 1;
	}
	return w > 0.01 ? w : 0.01;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static int pick_target(struct lb_tg *g, struct lb_scope *s, sim_time_t now)
{
	struct lb_tgt *tv = g->t;
	int ti = -1;

	switch (g->cfg->algo) {
	case LB_ALGO_ROUND_ROBIN:
		for (int tries = 0; tries < 2 * s->n; tries++) {
			int nx;

			ti = s->m[s->rr];
			if (++s->rr == (uint32_t)s->n)
				s->rr = 0;
			/* slow start: a new target keeps its turn with probability
			 * weight; otherwise the request goes to the next target,
			 * whose own turn still comes: share = weight x fair share */
			if (!tv[ti].slow || gsl_rng_uniform(g->r) < ss_weight(g, &tv[ti], now))
				break;
			nx = s->m[s->rr];
			if (!tv[nx].slow) {
				ti = nx;
				break;
			}
		}
		return ti;
	case LB_ALGO_LOR:
		/* a dead host's connections hang, so its count of outstanding
		 * requests only grows: least outstanding requests steers away
		 * from it (ecsim's choice; it still gets requests when every
		 * candidate is dead) */
		for (int b = s->minb, tries = 0; b < s->nb; b++)
			for (int i = s->bhead[b]; i >= 0; i = tv[i].bnext) {
				if (tv[i].dead) {
					if (ti < 0)
						ti = i;
					continue;
				}
				if (!tv[i].slow || ++tries > 2 * s->n ||
				    gsl_rng_uniform(g->r) < ss_weight(g, &tv[i], now))
					return i;
				ti = i;
			}
		return ti >= 0 ? ti : s->m[0];
	case LB_ALGO_WEIGHTED_RANDOM:
		return s->m[gsl_rng_uniform_int(g->r, (unsigned long)s->n)];
	case LB_ALGO_FLOW_HASH: {
		uint64_t flow = gsl_rng_uniform_int(g->r, (unsigned long)g->cfg->traffic.flows);

		return s->m[mix64(flow + (uint64_t)g->idx * UINT64_C(0x9e3779b97f4a7c15)) % (uint64_t)s->n];
	}
	}
	return -1;
}

/* The side of a blue/green shift a request goes to (docs/ecs-model.md
 * §5.7): green with probability w_green, one draw from the group's stream
 * only while both sides take a share; 0 (blue) without a shift. */
static int pick_side(struct lb_tg *g)
{
	if (!g->split || !(g->w_green > 0))
		return 0;
	if (g->w_green >= 1)
		return 1;
	return gsl_rng_uniform(g->r) < g->w_green;
}

/* A request starts service at the exact time tu (µs); the draw is kept to
 * the µs. */
static void start_service(struct lb *lb, struct lb_tg *g, struct lb_tgt *t, int32_t rid, int64_t tu)
{
	double sv = dist_sample(&g->cfg->traffic.service, g->r);

	lb->req[rid].start_us = tu;
	lb->req[rid].queued = 0;
	rev_at(lb, g, tu + us_of_s(sv), REV_DONE, rid);
	(void)t;
}

/* A request arrives at the exact time tu (µs). */
static void one_request(struct lb *lb, struct lb_tg *g, int64_t tu)
{
	sim_time_t now = ms_of(tu);
	int node = pick_node(g), ti;
	struct lb_scope *s;
	struct lb_tgt *t;
	int32_t rid;

	count_arrival(g, node);
	if (node < 0) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, -1, LB_E503, tu, tu, tu, 0);
		return;
	}
	s = &g->sc[(g->cross ? 0 : node) + pick_side(g) * g->n_scopes];
	if (s->n == 0) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, -1, LB_E503, tu, tu, tu, 0);
		return;
	}
	ti = pick_target(g, s, now);
	t = &g->t[ti];
	t->received++;
	if (t->dead) {
		count_end(g, node, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, tu, tu, tu, 0);
		return;
	}
	if (t->busy >= g->c && t->qlen >= g->k) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, ti, LB_E503, tu, tu, tu, 0);
		return;
	}
	rid = req_alloc(lb);
	lb->req[rid].arr_us = tu;
	lb->req[rid].target = ti;
	lb->req[rid].epoch = t->epoch;
	lb->req[rid].node = (uint8_t)node;
	lb->req[rid].waited = 0;
	t->out++;
	lb_tgt_out_changed(g, t, t->out - 1);
	if (t->busy < g->c) {
		t->busy++;
		start_service(lb, g, t, rid, tu);
		return;
	}
	lb->req[rid].queued = 1;
	lb->req[rid].waited = 1;
	t->q[(t->qhead + t->qlen) % g->k] = rid;
	t->qlen++;
	tmo_push(lb, g, tu + us_of_ms(g->cfg->traffic.client_timeout), rid, lb->req[rid].gen);
}

/* Next arrival (ms, exact) after `from` by thinning at the maximum rate. */
static int next_arrival(struct lb_tg *g, double from, double *out, struct err *e)
{
	const struct lb_traffic_cfg *c = &g->cfg->traffic;

	if (c->arrival == LB_ARR_TRACE) {
		struct csvin *in = g->trace;
		int rc = csvin_next(in, e);
		char *end;
		double ts;

		if (rc <= 0)
			return rc;
		ts = strtod(csvin_field(in, g->trace_col), &end);
		if (!*csvin_field(in, g->trace_col) || *end || !(ts >= g->trace_last) || !isfinite(ts))
			return csvin_fail(in, g->trace_col, e, "expected a time in s, not before the previous row's (%.3f), got \"%s\"",
					  g->trace_last, csvin_field(in, g->trace_col));
		g->trace_last = ts;
		*out = ts * 1000;
		return 1;
	}
	if (!(c->max_rate > 0))
		return 0;
	for (;;) {
		from += gsl_ran_exponential(g->r, 1000.0 / c->max_rate);
		if (c->arrival == LB_ARR_POISSON ||
		    gsl_rng_uniform(g->r) * c->max_rate < rate_at(g, from / 1000))
			break;
	}
	*out = from;
	return 1;
}

static void schedule_next(struct lb *lb, struct lb_tg *g)
{
	struct err e;
	double t;

	if (g->trace)
		err_clear(&e);     /* only a trace can fail (err_at fills every field) */
	switch (next_arrival(g, g->next_arr, &t, &e)) {
	case 1:
		break;
	case 0:
		return;    /* end of the trace */
	default:           /* a bad row: no more arrivals; lb_close reports it */
		if (!lb->trace_err.set)
			lb->trace_err = e;
		return;
	}
	g->next_arr = t;
	rev_at(lb, g, t >= (double)(US_LONG / US_PER_MS) ? US_LONG : (int64_t)llround(t * US_PER_MS),
	       REV_ARR, 0);
}

static void on_arrival(struct lb *lb, struct lb_tg *g, int64_t tu)
{
	one_request(lb, g, tu);
	schedule_next(lb, g);
}

static void on_done(struct lb *lb, struct lb_tg *g, int32_t rid, int64_t tu)
{
	struct lb_req *r = &lb->req[rid];
	struct lb_tgt *t = &g->t[r->target];
	int64_t lat = tu - r->arr_us;
	sim_time_t now = ms_of(tu);
	int ti = r->target;

	if (r->epoch != t->epoch) {          /* already failed with its target */
		req_free(lb, rid);
		return;
	}
	if (lat > us_of_ms(g->cfg->traffic.client_timeout)) {
		count_end(g, r->node, LB_E504, 0, 0, 0);
		report(lb, g, ti, LB_E504, r->arr_us, r->start_us, tu, r->queued);
	} else {
		count_end(g, r->node, LB_SERVED, lat, r->start_us - r->arr_us, r->waited);
		report(lb, g, ti, LB_SERVED, r->arr_us, r->start_us, tu, r->waited);
	}
	req_free(lb, rid);
	t->out--;
	t->busy--;
	if (t->qlen > 0) {
		int32_t next = t->q[t->qhead];

		t->qhead = (t->qhead + 1) % g->k;
		t->qlen--;
		t->busy++;
		start_service(lb, g, t, next, tu);
	}
	lb_tgt_out_changed(g, t, t->out + 1);
	if (t->out == 0 && t->state == LB_T_DRAINING)
		lb_target_idle(g, ti, now);
}

/* A queued request's client timeout: still waiting (not stale)? */
static int tmo_live(const struct lb *lb, const struct lb_tg *g, const struct lb_tmo *e)
{
	const struct lb_req *r = &lb->req[e->rid];

	return r->gen == e->gen && r->queued && r->target >= 0 && r->epoch == g->t[r->target].epoch;
}

static void on_timeout(struct lb *lb, struct lb_tg *g, int32_t rid, uint32_t gen, int64_t tu)
{
	sim_time_t now = ms_of(tu);
	struct lb_req *r = &lb->req[rid];
	struct lb_tgt *t;
	int ti, pos = -1;

	if (r->gen != gen || !r->queued || r->target < 0)
		return;
	ti = r->target;
	t = &g->t[ti];
	if (r->epoch != t->epoch)
		return;
	for (int i = 0; i < t->qlen; i++)
		if (t->q[(t->qhead + i) % g->k] == rid) {
			pos = i;
			break;
		}
	if (pos < 0)
		return;
	for (int i = pos; i > 0; i--)         /* FIFO: normally pos == 0 */
		t->q[(t->qhead + i) % g->k] = t->q[(t->qhead + i - 1) % g->k];
	t->qhead = (t->qhead + 1) % g->k;
	t->qlen--;
	count_end(g, r->node, LB_E504, 0, 0, 0);
	report(lb, g, ti, LB_E504, r->arr_us, -1, tu, 1);
	req_free(lb, rid);
	t->out--;
	lb_tgt_out_changed(g, t, t->out + 1);
	if (t->out == 0 && t->state == LB_T_DRAINING)
		lb_target_idle(g, ti, now);
}

/* Run one request event taken from the queue, at its exact time. */
static void run_rev(struct lb *lb, const struct lb_rev *ev)
{
	struct lb_tg *g = &lb->tg[ev->kind_tg & 0xffffff];

	switch (ev->kind_tg >> 24) {
	case REV_ARR:
		on_arrival(lb, g, ev->tu);
		break;
	case REV_DONE:
		on_done(lb, g, ev->rid, ev->tu);
		break;
	case REV_TMO: {
		struct lb_tmo e = g->tmo[g->tmo_head];

		g->tmo_head = (g->tmo_head + 1) % g->tmo_cap;
		g->tmo_n--;
		on_timeout(lb, g, e.rid, e.gen, ev->tu);
		/* skip the timeouts of requests no longer waiting; the next
		 * live one's cursor enters the heap */
		while (g->tmo_n > 0 && !tmo_live(lb, g, &g->tmo[g->tmo_head])) {
			g->tmo_head = (g->tmo_head + 1) % g->tmo_cap;
			g->tmo_n--;
		}
		if (g->tmo_n > 0) {
			const struct lb_tmo *h = &g->tmo[g->tmo_head];

			rev_push(lb, h->tu, h->seq, (uint32_t)REV_TMO << 24 | (uint32_t)g->idx, 0);
		}
		break;
	}
	}
}

/* lb/requests: run the request events of this millisecond in the order of
 * their exact times, those they schedule into it included.  Like the
 * engine's queued events, each waits until the instant's lane is empty
 * (a callback's event): then the lb wakes again at the lane's end. */
static void on_wake(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;
	sim_time_t now = sim_now(s);
	int again = 0;

	if ((uint32_t)ev->arg != lb->wake_gen)
		return;
	lb->wake_t = SIM_TIME_MAX;
	lb->in_wake = 1;
	for (;;) {
		struct lb_rev e;

		if (sim_lane_pending(s)) {
			again = 1;
			break;
		}
		if (!rev_take(lb, now, &e))
			break;
		run_rev(lb, &e);
	}
	lb->in_wake = 0;
	if (again)
		wake_at(lb, now);
	else
		wake_at(lb, rev_next_time(lb, now + 1));
}

/* Aggregate mode: the expected number of requests target t has in flight
 * (a draining one: of those it had at its deregistration, which no new
 * request joined, what is left `secs` s after it, docs/ecs-model.md §6.3)
 * fail, 502s; a drain's are counted once. */
static void agg_fail(struct lb_tg *g, struct lb_tgt *t, double secs)
{
	int draining = t->state == LB_T_DRAINING;
	double lam = draining ? t->drain_lam : t->lam;

	if (lam > 0 && g->c > 0) {
		struct mmck q;

		if (mmck_solve(&q, lam, g->mu, g->c, g->k) == 0) {
			double l = draining ? mmck_drain_left(&q, secs) : q.l;

			g->iv.e502 += l;
			g->run.e502 += l;
			if (!g->cross && t->az >= 0)
				g->iv_az[t->az].e502 += l;
		}
		mmck_free(&q);
	}
	if (draining)
		t->drain_lam = 0;
}

/* Every request in flight at target ti fails (502).  A draining target
 * stays draining: the caller says why it ends (the delay, or its death). */
void lb_traffic_fail_target(struct lb_tg *g, int ti, sim_time_t now)
{
	struct lb *lb = g->lb;
	struct lb_tgt *t = &g->t[ti];
	int old = t->out;

	if (g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE) {
		agg_fail(g, t, (double)(now - t->drain_at) / 1000);
		return;
	}
	for (int i = 0; i < t->qlen; i++) {
		int32_t rid = t->q[(t->qhead + i) % g->k];

		count_end(g, lb->req[rid].node, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, lb->req[rid].arr_us, -1, us_of_ms(now), 1);
		req_free(lb, rid);
	}
	for (int i = 0; i < t->busy; i++) {
		count_end(g, t->az, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, -1, -1, us_of_ms(now), 0);
	}
	t->qlen = t->busy = t->out = 0;
	t->epoch++;
	lb_tgt_out_changed(g, t, old);
}

/* --- aggregate mode --- */

/* Solutions of the queue, LB_CACHE of them: the last one used answers a
 * rate within 1e-9 of its own; the others only the very rate they were
 * solved for, which solving again would give bit for bit.  So targets at
 * a few distinct rates (one per AZ with cross-zone off) alternating in
 * every piece do not solve again each time. */
#define LB_CACHE 8

static struct mmck_cache *solve_cached(struct lb_tg *g, double lam)
{
	struct mmck_cache *c;
	double to = (double)g->cfg->traffic.client_timeout / 1000;

	if (!g->cache) {
		g->cache = xcalloc(LB_CACHE, sizeof *g->cache);
		for (int i = 0; i < LB_CACHE; i++)
			g->cache[i].lam = -1;
	}
	c = &g->cache[g->cache_last];
	if (c->lam >= 0 && fabs(c->lam - lam) <= 1e-9 * (lam > 1 ? lam : 1))
		return c;
	for (int i = 0; i < LB_CACHE; i++)
		if (g->cache[i].lam == lam) {
			g->cache_last = i;
			return &g->cache[i];
		}
	g->cache_last = g->cache_next;
	g->cache_next = (g->cache_next + 1) % LB_CACHE;
	c = &g->cache[g->cache_last];
	mmck_free(&c->q);
	mmck_solve(&c->q, lam, g->mu, g->c, g->k);
	g->lb->agg_solves++;
	c->lam = lam;
	mmck_timeout(&c->to, &c->q, to);
	for (int i = 0; i < LB_GRID; i++)
		c->tail[i] = mmck_to_tail(&c->to, &c->q, g->lb->grid[i] / 1000);
	c->tail_slo = g->cfg->has_slo && g->cfg->slo_p99_ms > 0 ?
		      mmck_to_tail(&c->to, &c->q, g->cfg->slo_p99_ms / 1000) : 0;
	return c;
}

static void agg_add(struct lb_tg *g, struct lb_row *r, double arrivals_to_target, struct lb_tgt *t,
		    struct mmck_cache *c)
{
	double adm, served, late;

	if (t->dead) {
		r->e502 += arrivals_to_target;
		return;
	}
	if (c->to.model == MMCK_TO_NONE) {
		/* the timeout out of reach: M/M/c/K as it is */
		adm = arrivals_to_target * (1 - c->q.block);
		late = adm * c->to.tail_to;
		served = adm - late;
		r->e503 += arrivals_to_target * c->q.block;
		r->e504 += late;
		r->served += served;
		r->lat_sum += served * (c->q.wq + 1 / g->mu) * 1000;
		r->wait_sum += served * c->q.wq * 1000;
		r->waited += served * c->q.pwait;
		r->lat.n += served;
		r->lat.over_slo += adm * c->tail_slo;
		for (int i = 0; i < LB_GRID; i++)
			r->lat.tail[i] += served * c->tail[i];
		return;
	}
	/* requests leave the queue at the client timeout, and the served
	 * ones are those answered within it (docs/ecs-model.md choice E210) */
	served = arrivals_to_target * c->to.served;
	r->e503 += arrivals_to_target * c->to.block;
	r->e504 += arrivals_to_target * (c->to.abandon + c->to.late);
	r->served += served;
	r->lat_sum += served * c->to.lat_mean * 1000;
	r->wait_sum += served * c->to.wait_mean * 1000;
	r->waited += served * c->to.pwait;
	r->lat.n += served;
	r->lat.over_slo += served * c->tail_slo;
	if (r->lat.tmax_ms < c->to.tau * 1000)
		r->lat.tmax_ms = c->to.tau * 1000;
	for (int i = 0; i < LB_GRID; i++)
		r->lat.tail[i] += served * c->tail[i];
}

static void agg_piece(struct lb_tg *g, double dt, double rate)
{
	double total;

	if (g->dirty)
		lb_scope_refresh(g);
	XGROW(g->lam_tmp, g->cap_tmp, (size_t)g->nt + 1);
	for (int i = 0; i < g->nt; i++)
		g->lam_tmp[i] = 0;
	total = rate * dt;
	g->iv.arrivals += total;
	g->run.arrivals += total;
	if (g->n_node_ok <= 0) {
		g->iv.e503 += total;
		g->run.e503 += total;
		return;
	}
	for (int k = 0; k < g->n_node_ok; k++) {
		int node = g->node_ok[k];
		double all = rate / g->n_node_ok;

		if (!g->cross)
			g->iv_az[node].arrivals += all * dt;
		/* a blue/green shift splits the rate: w_green to the green
		 * side, the rest to the blue (docs/ecs-model.md §5.7) */
		for (int side = 0; side < 2; side++) {
			struct lb_scope *s = &g->sc[(g->cross ? 0 : node) + side * g->n_scopes];
			double w = !g->split ? (side ? 0 : 1) : side ? g->w_green : 1 - g->w_green;
			double share = w >= 1 ? all : all * w;

			if (!(w > 0))
				continue;
			if (s->n == 0) {
				g->iv.e503 += share * dt;
				g->run.e503 += share * dt;
				if (!g->cross)
					g->iv_az[node].e503 += share * dt;
				continue;
			}
			for (int i = 0; i < s->n; i++)
				g->lam_tmp[s->m[i]] += share / s->n;
		}
	}
	/* targets at the same rate share one solution: add them as a batch */
	{
		double batch = 0;
		int first = -1;

		/* in order of registration; a batch also ends where a retired
		 * target sat (it took no share) */
		for (int i = g->ohead;; i = g->t[i].onext) {
			struct lb_tgt *t = i >= 0 ? &g->t[i] : NULL;
			double a = t ? g->lam_tmp[i] * dt : 0;

			if (t)
				t->lam = g->lam_tmp[i];
			if (first >= 0 && (!t || t->gap || t->dead || !(a > 0) || g->lam_tmp[i] != g->lam_tmp[first] ||
					   (!g->cross && t->az != g->t[first].az))) {
				struct mmck_cache *c = solve_cached(g, g->lam_tmp[first]);
				struct lb_tgt *f = &g->t[first];

				agg_add(g, &g->iv, batch, f, c);
				agg_add(g, &g->run, batch, f, c);
				if (!g->cross && f->az >= 0)
					agg_add(g, &g->iv_az[f->az], batch, f, c);
				first = -1;
				batch = 0;
			}
			if (!t)
				break;
			if (!(a > 0))
				continue;
			if (t->dead) {
				g->iv.e502 += a;
				g->run.e502 += a;
				if (!g->cross && t->az >= 0)
					g->iv_az[t->az].e502 += a;
				continue;
			}
			if (first < 0)
				first = i;
			batch += a;
		}
	}
}

/* A changing rate in aggregate mode: every new rate costs a solution of
 * the queue (its response-time tail on the latency grid, ~10^4 gamma
 * tails), so the rate is held in steps.  A rate curve keeps its own steps
 * (pieces end at its times); a daily curve is taken in steps of one minute
 * of the clock, each at the curve's value at the middle of its minute
 * (docs/ecs-model.md choice E71), so the pieces that health checks and
 * other changes cut within a minute share one solution. */
#define AGG_STEP_MS 60000

static void agg_advance_steps(struct lb_tg *g, sim_time_t now)
{
	const struct lb_traffic_cfg *c = &g->cfg->traffic;
	sim_time_t a = g->agg_t;

	while (a < now) {
		sim_time_t b = now < a + AGG_STEP_MS ? now : a + AGG_STEP_MS;
		double rate;

		if (c->arrival == LB_ARR_CURVE) {
			for (int i = 0; i < c->n_curve; i++) {
				sim_time_t bp = sim_ms(c->curve_t[i]);

				if (bp > a) {
					if (bp < b)
						b = bp;
					break;
				}
			}
			rate = rate_at(g, ((double)a + (double)b) / 2000);
		} else {
			sim_time_t cell = a / AGG_STEP_MS * AGG_STEP_MS;

			if (cell + AGG_STEP_MS < b)
				b = cell + AGG_STEP_MS;
			rate = rate_at(g, (double)(cell + AGG_STEP_MS / 2) / 1000);
		}
		agg_piece(g, (double)(b - a) / 1000, rate);
		a = b;
	}
	g->agg_t = now;
}

void lb_agg_advance(struct lb_tg *g, sim_time_t now)
{
	double t0, t1;

	if (!g->cfg->has_traffic || g->cfg->traffic.mode != LB_MODE_AGGREGATE || !g->lb->started ||
	    now <= g->agg_t)
		return;
	if (g->cfg->traffic.arrival != LB_ARR_POISSON) {
		agg_advance_steps(g, now);
		return;
	}
	t0 = (double)g->agg_t / 1000;
	t1 = (double)now / 1000;
	while (t0 < t1) {          /* pieces of at most 60 s */
		double dt = t1 - t0 < 60 ? t1 - t0 : 60;

		agg_piece(g, dt, rate_at(g, t0 + dt / 2));
		t0 += dt;
	}
	g->agg_t = now;
}

/* Aggregate mode: a drain that ends before its delay, when its requests'
 * expected time to finish (lb_agg_drain_time) is over.  Per request a
 * drain ends when its last request is served, or at the delay's end, the
 * requests still in flight then cut (502s): so the expected number left
 * at the delay's end is counted now, as the drain ends (docs/ecs-model.md
 * §6.3).  (Were the target to die between now and the delay's end, per
 * request more would be cut; aggregate mode no longer follows it.) */
void lb_traffic_drain_idle(struct lb_tg *g, int ti)
{
	agg_fail(g, &g->t[ti], (double)g->cfg->dereg_delay / 1000);
}

/* Aggregate mode: how long a deregistered target's in-flight requests take
 * to finish, E[T] x H(L) (L requests in flight, harmonic number; ecsim's
 * choice); the caller cuts it at the deregistration delay. */
sim_time_t lb_agg_drain_time(struct lb_tg *g, int ti)
{
	struct lb_tgt *t = &g->t[ti];
	struct mmck q;
	double h = 0, et;
	sim_time_t d;

	if (!(t->lam > 0) || mmck_solve(&q, t->lam, g->mu, g->c, g->k))
		return 0;
	et = q.wq + 1 / g->mu;
	for (int n = 1; n <= (int)llround(q.l); n++)
		h += 1.0 / n;
	mmck_free(&q);
	d = sim_ms(et * h);
	return d;
}

void lb_traffic_free_cache(struct lb_tg *g)
{
	for (int i = 0; i < LB_CACHE; i++)
		mmck_free(&g->cache[i].q);
	free(g->cache);
	g->cache = NULL;
}

void lb_traffic_close_trace(struct lb_tg *g)
{
	csvin_close(g->trace);
	g->trace = NULL;
}

void lb_traffic_init(struct lb *lb)
{
	lb->ev_wake = sim_on(lb->s, "lb/requests", on_wake, lb);
	lb->wake_t = SIM_TIME_MAX;
	wheel_init(lb);
}

int lb_traffic_start(struct lb *lb, sim_time_t start, struct err *e)
{
	for (int i = 0; i < lb->n_tg; i++) {
		struct lb_tg *g = &lb->tg[i];
		const struct lb_traffic_cfg *c = &g->cfg->traffic;
		double t;
		int rc;

		g->agg_t = start;
		if (!g->cfg->has_traffic || c->mode == LB_MODE_AGGREGATE)
			continue;
		if (c->arrival == LB_ARR_TRACE) {
			g->trace = csvin_open(c->trace_path, e);
			if (!g->trace)
				return -1;
			g->trace_col = csvin_col(g->trace, c->trace_column);
			g->trace_last = 0;
		}
		g->next_arr = (double)start;
		rc = next_arrival(g, g->next_arr, &t, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		if (c->arrival == LB_ARR_TRACE && t < (double)start)
			t = (double)start;
		g->next_arr = t;
		rev_at(lb, g, t >= (double)(US_LONG / US_PER_MS) ? US_LONG : (int64_t)llround(t * US_PER_MS),
		       REV_ARR, 0);
	}
	return 0;
}

size_t lb_agg_solves(const struct lb *lb)
{
	return lb->agg_solves;
}

size_t lb_request_slots(const struct lb *lb)
{
	return (size_t)lb->cap_req;
}
