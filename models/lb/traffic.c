/* models/lb/traffic.c — requests through the load balancer
 * (docs/ecs-model.md §6.4, §6.5).
 *
 * Per request: an arrival event (which also draws the next arrival) and a
 * completion event; a request that has to wait in a target's queue also
 * gets a client-timeout event.  Requests live in a pool with a free list,
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
 * and the expected outcomes are added (models/lb/mmck.h).
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
	double tail[LB_GRID];
	double tail_to;             /* P(T > client timeout) */
	double tail_slo;
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

/* --- accounting --- */

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
			r[k]->lat_sum += (double)lat;
			r[k]->wait_sum += (double)wait;
			r[k]->waited += queued;
			lb_lat_add_ms(&r[k]->lat, lat);
			if (g->cfg->has_slo && g->cfg->slo_p99_ms > 0 && (double)lat > g->cfg->slo_p99_ms)
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

static void report(struct lb *lb, struct lb_tg *g, int ti, enum lb_outcome o, sim_time_t arr,
		   sim_time_t start, sim_time_t end, int queued)
{
	if (lb->cb.on_request)
		lb->cb.on_request(lb->cb.ctx, g->idx, ti, o, arr, start, end, queued);
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

static void start_service(struct lb *lb, struct lb_tg *g, struct lb_tgt *t, int32_t rid, sim_time_t now)
{
	double sv = dist_sample(&g->cfg->traffic.service, g->r);

	lb->req[rid].start = now;
	lb->req[rid].queued = 0;
	sim_at(lb->s, now + sim_ms(sv), lb->ev_done, g, (uint64_t)rid);
	(void)t;
}

static void one_request(struct lb *lb, struct lb_tg *g, sim_time_t now)
{
	int node = pick_node(g), ti;
	struct lb_scope *s;
	struct lb_tgt *t;
	int32_t rid;

	count_arrival(g, node);
	if (node < 0) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, -1, LB_E503, now, now, now, 0);
		return;
	}
	s = &g->sc[g->cross ? 0 : node];
	if (s->n == 0) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, -1, LB_E503, now, now, now, 0);
		return;
	}
	ti = pick_target(g, s, now);
	t = &g->t[ti];
	t->received++;
	if (t->dead) {
		count_end(g, node, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, now, now, now, 0);
		return;
	}
	if (t->busy >= g->c && t->qlen >= g->k) {
		count_end(g, node, LB_E503, 0, 0, 0);
		report(lb, g, ti, LB_E503, now, now, now, 0);
		return;
	}
	rid = req_alloc(lb);
	lb->req[rid].arr = now;
	lb->req[rid].target = ti;
	lb->req[rid].epoch = t->epoch;
	lb->req[rid].node = (uint8_t)node;
	lb->req[rid].waited = 0;
	t->out++;
	lb_tgt_out_changed(g, t, t->out - 1);
	if (t->busy < g->c) {
		t->busy++;
		start_service(lb, g, t, rid, now);
		return;
	}
	lb->req[rid].queued = 1;
	lb->req[rid].waited = 1;
	t->q[(t->qhead + t->qlen) % g->k] = rid;
	t->qlen++;
	sim_at(lb->s, now + g->cfg->traffic.client_timeout, lb->ev_timeout, g,
	       (uint64_t)rid | ((uint64_t)lb->req[rid].gen << 32));
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
	sim_time_t when;

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
	when = (sim_time_t)llround(t);
	if (when < sim_now(lb->s))
		when = sim_now(lb->s);
	sim_at(lb->s, when, lb->ev_arr, g, 0);
}

static void on_arrival(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;
	struct lb_tg *g = ev->target;

	one_request(lb, g, sim_now(s));
	schedule_next(lb, g);
}

static void on_done(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;
	struct lb_tg *g = ev->target;
	int32_t rid = (int32_t)ev->arg;
	struct lb_req *r = &lb->req[rid];
	struct lb_tgt *t = &g->t[r->target];
	sim_time_t now = sim_now(s), lat = now - r->arr;
	int ti = r->target;

	if (r->epoch != t->epoch) {          /* already failed with its target */
		req_free(lb, rid);
		return;
	}
	if (lat > g->cfg->traffic.client_timeout) {
		count_end(g, r->node, LB_E504, 0, 0, 0);
		report(lb, g, ti, LB_E504, r->arr, r->start, now, r->queued);
	} else {
		count_end(g, r->node, LB_SERVED, lat, r->start - r->arr, r->waited);
		report(lb, g, ti, LB_SERVED, r->arr, r->start, now, r->waited);
	}
	req_free(lb, rid);
	t->out--;
	t->busy--;
	if (t->qlen > 0) {
		int32_t next = t->q[t->qhead];

		t->qhead = (t->qhead + 1) % g->k;
		t->qlen--;
		t->busy++;
		start_service(lb, g, t, next, now);
	}
	lb_tgt_out_changed(g, t, t->out + 1);
	if (t->out == 0 && t->state == LB_T_DRAINING)
		lb_target_idle(g, ti, now);
}

static void on_timeout(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;
	struct lb_tg *g = ev->target;
	int32_t rid = (int32_t)(ev->arg & 0xffffffffu);
	struct lb_req *r = &lb->req[rid];
	struct lb_tgt *t;
	int ti, pos = -1;

	if (r->gen != (uint32_t)(ev->arg >> 32) || !r->queued || r->target < 0)
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
	report(lb, g, ti, LB_E504, r->arr, -1, sim_now(s), 1);
	req_free(lb, rid);
	t->out--;
	lb_tgt_out_changed(g, t, t->out + 1);
	if (t->out == 0 && t->state == LB_T_DRAINING)
		lb_target_idle(g, ti, sim_now(s));
}

/* Every request in flight at target ti fails (502). */
void lb_traffic_fail_target(struct lb_tg *g, int ti, sim_time_t now)
{
	struct lb *lb = g->lb;
	struct lb_tgt *t = &g->t[ti];
	int old = t->out;

	if (g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE) {
		/* expected number in the system at its rate */
		if (t->lam > 0 && g->c > 0) {
			struct mmck q;

			if (mmck_solve(&q, t->lam, g->mu, g->c, g->k) == 0) {
				g->iv.e502 += q.l;
				g->run.e502 += q.l;
				if (!g->cross && t->az >= 0)
					g->iv_az[t->az].e502 += q.l;
			}
			mmck_free(&q);
		}
		return;
	}
	for (int i = 0; i < t->qlen; i++) {
		int32_t rid = t->q[(t->qhead + i) % g->k];

		count_end(g, lb->req[rid].node, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, lb->req[rid].arr, -1, now, 1);
		req_free(lb, rid);
	}
	for (int i = 0; i < t->busy; i++) {
		count_end(g, t->az, LB_E502, 0, 0, 0);
		report(lb, g, ti, LB_E502, -1, -1, now, 0);
	}
	t->qlen = t->busy = t->out = 0;
	t->epoch++;
	lb_tgt_out_changed(g, t, old);
	if (t->state == LB_T_DRAINING)
		lb_target_idle(g, ti, now);
}

/* --- aggregate mode --- */

static struct mmck_cache *solve_cached(struct lb_tg *g, double lam)
{
	struct mmck_cache *c = g->cache;
	double to = (double)g->cfg->traffic.client_timeout / 1000;

	if (!c) {
		c = g->cache = xcalloc(1, sizeof *c);
		c->lam = -1;
	}
	if (c->lam >= 0 && fabs(c->lam - lam) <= 1e-9 * (lam > 1 ? lam : 1))
		return c;
	mmck_free(&c->q);
	mmck_solve(&c->q, lam, g->mu, g->c, g->k);
	c->lam = lam;
	for (int i = 0; i < LB_GRID; i++)
		c->tail[i] = mmck_resp_tail(&c->q, g->lb->grid[i] / 1000);
	c->tail_to = mmck_resp_tail(&c->q, to);
	c->tail_slo = g->cfg->has_slo && g->cfg->slo_p99_ms > 0 ?
		      mmck_resp_tail(&c->q, g->cfg->slo_p99_ms / 1000) : 0;
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
	adm = arrivals_to_target * (1 - c->q.block);
	late = adm * c->tail_to;
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
}

static void agg_piece(struct lb_tg *g, double t0, double dt)
{
	double rate = rate_at(g, t0 + dt / 2), total;

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
		struct lb_scope *s = &g->sc[g->cross ? 0 : node];
		double share = rate / g->n_node_ok;

		if (!g->cross)
			g->iv_az[node].arrivals += share * dt;
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
	/* targets at the same rate share one solution: add them as a batch */
	{
		double batch = 0;
		int first = -1;

		for (int i = 0; i <= g->nt; i++) {
			struct lb_tgt *t = i < g->nt ? &g->t[i] : NULL;
			double a = t ? g->lam_tmp[i] * dt : 0;

			if (t)
				t->lam = g->lam_tmp[i];
			if (first >= 0 && (!t || t->dead || !(a > 0) || g->lam_tmp[i] != g->lam_tmp[first] ||
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
			if (!t || !(a > 0))
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

void lb_agg_advance(struct lb_tg *g, sim_time_t now)
{
	double t0, t1;

	if (!g->cfg->has_traffic || g->cfg->traffic.mode != LB_MODE_AGGREGATE || !g->lb->started ||
	    now <= g->agg_t)
		return;
	t0 = (double)g->agg_t / 1000;
	t1 = (double)now / 1000;
	while (t0 < t1) {          /* pieces of at most 60 s follow a changing rate */
		double dt = t1 - t0 < 60 ? t1 - t0 : 60;

		agg_piece(g, t0, dt);
		t0 += dt;
	}
	g->agg_t = now;
}

/* Aggregate mode: how long a deregistered target drains — the expected time
 * for its in-flight requests to finish, E[T] x H(L) (L requests in flight,
 * harmonic number), at most the deregistration delay (ecsim's choice). */
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
	return d < g->cfg->dereg_delay ? d : g->cfg->dereg_delay;
}

void lb_traffic_free_cache(struct lb_tg *g)
{
	mmck_free(&g->cache->q);
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
	lb->ev_arr = sim_on(lb->s, "lb/arrival", on_arrival, lb);
	lb->ev_done = sim_on(lb->s, "lb/done", on_done, lb);
	lb->ev_timeout = sim_on(lb->s, "lb/client_timeout", on_timeout, lb);
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
		sim_at(lb->s, (sim_time_t)llround(t), lb->ev_arr, g, 0);
	}
	return 0;
}

size_t lb_request_slots(const struct lb *lb)
{
	return (size_t)lb->cap_req;
}
