/* models/lb/target.c — targets and their health checks (docs/ecs-model.md
 * §6.1–§6.3, §6.5): register → initial → healthy after ONE passing check;
 * unhealthy after unhealthyThresholdCount consecutive failures, healthy
 * again after healthyThresholdCount consecutive passes; deregister →
 * draining until no request is in flight or the deregistration delay ends →
 * unused.  Also the routing sets each LB node draws from.
 *
 * Health checks are events every interval per target, the first one
 * interval after registration (ecsim's choice; ELB does not say when the
 * first check runs).  A check fails when the target's instance is dead or
 * its AZ is out, when its revision never becomes healthy, or (option) when
 * the check would wait in the target's queue longer than its timeout. */
#include "lb_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/rng.h"
#include "sim/sim.h"

const char *lb_tstate_name(enum lb_tstate s)
{
	static const char *const n[] = { "initial", "healthy", "unhealthy", "draining", "unused" };

	return n[s];
}

static int routable_state(enum lb_tstate s)
{
	return s == LB_T_INITIAL || s == LB_T_HEALTHY || s == LB_T_UNHEALTHY;
}

int lb_healthy_count(const struct lb_tg *g, int az)
{
	int n = 0;

	LB_EACH(g, i)
		n += g->t[i].state == LB_T_HEALTHY && (az < 0 || g->t[i].az == az);
	return n;
}

void lb_count_states(const struct lb_tg *g, int az, int *h, int *u, int *in, int *d)
{
	*h = *u = *in = *d = 0;
	LB_EACH(g, i) {
		const struct lb_tgt *t = &g->t[i];

		if (az >= 0 && t->az != az)
			continue;
		*h += t->state == LB_T_HEALTHY;
		*u += t->state == LB_T_UNHEALTHY;
		*in += t->state == LB_T_INITIAL;
		*d += t->state == LB_T_DRAINING;
	}
}

/* --- least-outstanding buckets --- */

static void bucket_remove(struct lb_scope *s, struct lb_tgt *tv, int ti, int b)
{
	struct lb_tgt *t = &tv[ti];

	if (t->bprev >= 0)
		tv[t->bprev].bnext = t->bnext;
	else
		s->bhead[b] = t->bnext;
	if (t->bnext >= 0)
		tv[t->bnext].bprev = t->bprev;
	else
		s->btail[b] = t->bprev;
	t->bprev = t->bnext = -1;
}

static void bucket_append(struct lb_scope *s, struct lb_tgt *tv, int ti, int b)
{
	struct lb_tgt *t = &tv[ti];

	t->bnext = -1;
	t->bprev = s->btail[b];
	if (s->btail[b] >= 0)
		tv[s->btail[b]].bnext = ti;
	else
		s->bhead[b] = ti;
	s->btail[b] = ti;
	if (b < s->minb)
		s->minb = b;
}

void lb_tgt_out_changed(struct lb_tg *g, struct lb_tgt *t, int old_out)
{
	struct lb_scope *s;
	int ti = (int)(t - g->t);

	if (!t->member || g->cfg->algo != LB_ALGO_LOR || g->dirty)
		return;
	s = lb_scope_of(g, t);
	bucket_remove(s, g->t, ti, old_out);
	bucket_append(s, g->t, ti, t->out);
	while (s->minb < s->nb - 1 && s->bhead[s->minb] < 0)
		s->minb++;
}

/* Rebuild the member lists after a state change: healthy targets, or every
 * registered one when fewer than the minimum are healthy (fail open,
 * docs/ecs-model.md §6.5), per scope (ecsim applies the rule per LB node
 * when cross-zone is off; AWS does not say). */
void lb_scope_refresh(struct lb_tg *g)
{
	const struct lb_tg_cfg *c = g->cfg;

	for (int k = 0; k < 2 * g->n_scopes; k++) {
		struct lb_scope *s = &g->sc[k];
		int healthy = 0, reg = 0, side = k >= g->n_scopes, base = k - side * g->n_scopes;

		/* the green side of a blue/green shift is a target group of
		 * its own (its alternate target group): its own fail-open */
		if (side && !g->split && s->n == 0)
			continue;
		LB_EACH(g, i) {
			if (g->t[i].scope != base || g->t[i].green != side)
				continue;
			healthy += g->t[i].state == LB_T_HEALTHY;
			reg += routable_state(g->t[i].state);
		}
		s->failopen = healthy < c->fo_count ||
			      (c->fo_pct > 0 && (double)healthy * 100 < (double)c->fo_pct * reg);
		s->n = 0;
		for (int b = 0; b < s->nb; b++)
			s->bhead[b] = s->btail[b] = -1;
		s->minb = s->nb - 1;
		LB_EACH(g, i) {
			struct lb_tgt *t = &g->t[i];

			if (t->scope != base || t->green != side)
				continue;
			t->member = s->failopen ? routable_state(t->state) : t->state == LB_T_HEALTHY;
			if (!t->member)
				continue;
			XGROW(s->m, s->cap, (size_t)s->n + 1);
			s->m[s->n++] = i;
			bucket_append(s, g->t, i, t->out < s->nb ? t->out : s->nb - 1);
		}
		if (s->rr >= (uint32_t)(s->n ? s->n : 1))
			s->rr = 0;
	}
	/* DNS hands out the nodes whose AZ has enough healthy targets
	 * (dns_failover minimum); all live nodes when none has (§6.5) */
	g->n_node_ok = 0;
	for (int pass = 0; pass < 2 && g->n_node_ok == 0; pass++)
		for (int n = 0; n < g->n_nodes; n++) {
			int h = 0, reg = 0;

			if (!g->node_up[n])
				continue;
			for (int i = pass == 0 ? g->ohead : -1; i >= 0; i = g->t[i].onext)
				if (g->t[i].az == n) {
					h += g->t[i].state == LB_T_HEALTHY;
					reg += routable_state(g->t[i].state);
				}
			if (pass == 0 && ((c->dns_count > 0 && h < c->dns_count) ||
					  (c->dns_pct > 0 && (double)h * 100 < (double)c->dns_pct * reg)))
				continue;
			g->node_ok[g->n_node_ok++] = n;
		}
	g->dirty = 0;
}

static void note_no_healthy(struct lb_tg *g, sim_time_t now)
{
	int h = lb_healthy_count(g, -1);

	if (h == 0 && g->no_healthy_since < 0)
		g->no_healthy_since = now;
	else if (h > 0 && g->no_healthy_since >= 0) {
		g->no_healthy += now - g->no_healthy_since;
		g->no_healthy_since = -1;
	}
}

static void set_state(struct lb_tg *g, int ti, enum lb_tstate to, const char *reason, sim_time_t now)
{
	struct lb_tgt *t = &g->t[ti];
	enum lb_tstate from = t->state;

	if (from == to)
		return;
	t->state = to;
	g->dirty = 1;
	lb_out_transition(g->lb, g, ti, from, reason, now);
	note_no_healthy(g, now);
}

static struct lb_tg *tg_of(struct lb *lb, int tg)
{
	return &lb->tg[tg];
}

/* --- health checks --- */

static int check_passes(const struct lb_tg *g, const struct lb_tgt *t)
{
	if (t->dead || t->never)
		return 0;
	if (g->cfg->overload_fails_checks && g->cfg->has_traffic) {
		/* the check waits behind the queued requests */
		double wait_s = (double)t->qlen / (g->c * g->mu);

		if (sim_ms(wait_s) >= g->cfg->hc_timeout)
			return 0;
	}
	return 1;
}

static void on_hc(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;
	struct lb_tg *g = ev->target;
	int ti = (int)(ev->arg & 0xffffffffu);
	struct lb_tgt *t = &g->t[ti];
	const struct lb_tg_cfg *c = g->cfg;
	sim_time_t now = sim_now(s);

	if ((uint32_t)(ev->arg >> 32) != t->gen || !routable_state(t->state))
		return;
	lb_agg_advance(g, now);
	if (check_passes(g, t)) {
		t->fail = 0;
		t->ok++;
		if (t->state == LB_T_INITIAL || (t->state == LB_T_UNHEALTHY && t->ok >= c->healthy_threshold)) {
			/* slow start only when another target is already healthy */
			t->slow = c->slow_start > 0 && lb_healthy_count(g, -1) > 0;
			t->healthy_at = now;
			set_state(g, ti, LB_T_HEALTHY, "health check passed", now);
			if (lb->cb.on_target_healthy)
				lb->cb.on_target_healthy(lb->cb.ctx, g->idx, t->ref, now);
		}
	} else {
		t->ok = 0;
		t->fail++;
		if (lb->cb.on_check_failed)
			lb->cb.on_check_failed(lb->cb.ctx, g->idx, t->ref, now);
		if (t->state != LB_T_UNHEALTHY && t->fail >= c->unhealthy_threshold) {
			set_state(g, ti, LB_T_UNHEALTHY, t->dead ? "target not responding" :
				  t->never ? "health checks failed (revision never healthy)" :
				  "health checks timed out", now);
			if (lb->cb.on_target_unhealthy)
				lb->cb.on_target_unhealthy(lb->cb.ctx, g->idx, t->ref, now);
		}
	}
	sim_after(s, c->hc_interval, lb->ev_hc, g, ev->arg);
}

/* --- draining --- */

/* An unused target is so for good (nothing registers it again): it holds
 * no request and is logged no more, so its queue and name go now, not at
 * the end of the run (memory grows with the live targets, not with those
 * ever registered). */
static void drop_buffers(struct lb_tgt *t)
{
	free(t->q);
	t->q = NULL;
	free(t->name);
	t->name = NULL;
}

/* --- slots --- */

/* A target unused and released (nothing names it any more) is retired at
 * the group's next registration, never inside a pass over the targets: it
 * leaves the order of registration, and its slot holds a later target.
 * Its gen and epoch go on counting there, so a health check, a drain end
 * or a request of its own still pending is seen as stale, as it was.
 * Outputs stay as they were: the passes over the targets take the live
 * ones in the same order (an aggregate-mode batch of targets at one rate
 * still ends where a retired target sat: its successor's gap), and a
 * blue/green shift's refresh of the routing sets still comes when only a
 * retired target would have changed side (rdep). */
static void to_retire(struct lb_tg *g, int ti)
{
	struct lb_tgt *t = &g->t[ti];

	if (t->retiring)
		return;
	t->retiring = 1;
	t->link = g->pend;
	g->pend = ti;
}

static void retire(struct lb_tg *g, int ti)
{
	struct lb_tgt *t = &g->t[ti];

	if (t->oprev >= 0)
		g->t[t->oprev].onext = t->onext;
	else
		g->ohead = t->onext;
	if (t->onext >= 0) {
		g->t[t->onext].oprev = t->oprev;
		g->t[t->onext].gap = 1;
	} else {
		g->otail = t->oprev;
		g->tail_gap = 1;
	}
	g->retired_received += t->received;
	t->received = 0;
	if (t->scope >= 0 && t->dep >= 0) {
		if ((size_t)t->dep >= g->cap_rdep) {
			size_t old = g->cap_rdep;

			XGROW(g->rdep, g->cap_rdep, (size_t)t->dep + 1);
			memset(g->rdep + old, 0, (g->cap_rdep - old) * sizeof *g->rdep);
		}
		g->rdep[t->dep]++;
	}
	t->link = g->free_t;
	g->free_t = ti;
}

static int retired_of_dep(const struct lb_tg *g, int dep)
{
	return dep >= 0 && (size_t)dep < g->cap_rdep ? g->rdep[dep] : 0;
}

static void to_unused(struct lb_tg *g, int ti, const char *reason, sim_time_t now)
{
	struct lb *lb = g->lb;
	struct lb_tgt *t = &g->t[ti];

	t->gen++;
	set_state(g, ti, LB_T_UNUSED, reason, now);
	drop_buffers(t);
	if (t->released)
		to_retire(g, ti);
	if (lb->cb.on_target_drained)
		lb->cb.on_target_drained(lb->cb.ctx, g->idx, t->ref, now);
}

void lb_target_idle(struct lb_tg *g, int ti, sim_time_t now)
{
	if (g->t[ti].state == LB_T_DRAINING && g->t[ti].out == 0)
		to_unused(g, ti, "drained: no request in flight", now);
}

/* A drain-end event's arg: the target, DRAIN_IDLE when the drain ends as
 * its in-flight requests finish (aggregate mode), the target's gen << 32 */
#define DRAIN_IDLE (1u << 31)

static void on_drain(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb_tg *g = ev->target;
	int ti = (int)(ev->arg & (DRAIN_IDLE - 1));
	struct lb_tgt *t = &g->t[ti];

	(void)ctx;
	if ((uint32_t)(ev->arg >> 32) != t->gen || t->state != LB_T_DRAINING)
		return;
	lb_agg_advance(g, sim_now(s));
	if (!(ev->arg & DRAIN_IDLE))
		lb_traffic_fail_target(g, ti, sim_now(s));     /* the delay is over: cut */
	else
		lb_traffic_drain_idle(g, ti);   /* what the delay's end would have cut */
	if (t->state == LB_T_DRAINING)
		to_unused(g, ti, ev->arg & DRAIN_IDLE ? "drained: no request in flight" : "deregistration delay ended",
			  sim_now(s));
}

/* --- public operations --- */

int lb_target_register(struct lb *lb, int tg, uint64_t ref, const char *name, const char *az,
		       const char *taskdef, sim_time_t now)
{
	struct lb_tg *g = tg_of(lb, tg);
	struct lb_tgt *t;
	int ti, node = -1;
	uint32_t gen = 0, epoch = 0;

	lb_agg_advance(g, now);
	if (g->lbc)
		for (int k = 0; k < g->lbc->n_azs; k++)
			if (strcmp(g->lbc->azs[k], az) == 0)
				node = k;
	while (g->pend >= 0) {
		int p = g->pend;

		g->pend = g->t[p].link;
		retire(g, p);
	}
	if (g->free_t >= 0) {
		ti = g->free_t;
		g->free_t = g->t[ti].link;
		gen = g->t[ti].gen;
		epoch = g->t[ti].epoch;
	} else {
		XGROW(g->t, g->capt, (size_t)g->nt + 1);
		ti = g->nt++;
	}
	t = &g->t[ti];
	memset(t, 0, sizeof *t);
	t->gen = gen;
	t->epoch = epoch;
	t->oprev = g->otail;
	t->onext = -1;
	if (g->otail >= 0)
		g->t[g->otail].onext = ti;
	else
		g->ohead = ti;
	g->otail = ti;
	t->gap = g->tail_gap;
	g->tail_gap = 0;
	t->name = xstrdup(name ? name : "");
	t->ref = ref;
	t->az = node;
	t->scope = node < 0 ? -1 : g->cross ? 0 : node;
	t->bprev = t->bnext = -1;
	t->reg_at = now;
	t->q = g->k > 0 && node >= 0 ? xmalloc(sizeof *t->q * (size_t)g->k) : NULL;
	t->state = LB_T_UNUSED;
	t->dep = -1;
	for (int i = 0; taskdef && i < g->cfg->n_never; i++)
		if (strcmp(g->cfg->never[i].taskdef, taskdef) == 0)
			t->never = gsl_rng_uniform(g->r) < g->cfg->never[i].p;
	if (node < 0) {
		/* ELB: a target in an AZ the load balancer does not enable (or
		 * in a group with no load balancer) is unused */
		lb_out_transition(lb, g, ti, LB_T_UNUSED, g->lbc ? "availability zone not enabled" :
				  "target group not used by a load balancer", now);
		drop_buffers(t);
		return ti;
	}
	set_state(g, ti, LB_T_INITIAL, "registered", now);
	sim_at(lb->s, now + g->cfg->hc_interval, lb->ev_hc, g, (uint64_t)ti | ((uint64_t)t->gen << 32));
	if (node >= 0 && !g->node_up[node])
		t->dead = 1;
	return ti;
}

void lb_target_deregister(struct lb *lb, int tg, int ti, sim_time_t now)
{
	struct lb_tg *g = tg_of(lb, tg);
	struct lb_tgt *t = &g->t[ti];

	lb_agg_advance(g, now);
	if (t->state == LB_T_DRAINING)
		return;
	if (t->state == LB_T_UNUSED) {
		if (lb->cb.on_target_drained)
			lb->cb.on_target_drained(lb->cb.ctx, g->idx, t->ref, now);
		return;
	}
	t->gen++;               /* no more health checks */
	t->slow = 0;
	t->drain_at = now;
	set_state(g, ti, LB_T_DRAINING, "deregistered", now);
	if (g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE) {
		/* its requests' expected time to finish, or the delay when
		 * that is shorter; targets.csv says which ended the drain
		 * (docs/ecs-model.md §6.3).  What it has in flight is that of
		 * its rate until now (a dead target's failed already). */
		sim_time_t d = t->dead ? 0 : lb_agg_drain_time(g, ti);
		int idle = d <= g->cfg->dereg_delay;

		t->drain_lam = t->dead ? 0 : t->lam;
		if (!idle)
			d = g->cfg->dereg_delay;
		if (d == 0 && !idle)
			lb_traffic_fail_target(g, ti, now);   /* a delay of 0: cut at once */
		else if (d == 0)
			lb_traffic_drain_idle(g, ti);
		if (d == 0)
			to_unused(g, ti, idle ? "drained: no request in flight" : "deregistration delay ended", now);
		else
			sim_at(lb->s, now + d, lb->ev_drain, g,
			       (uint64_t)ti | (idle ? DRAIN_IDLE : 0u) | ((uint64_t)t->gen << 32));
		return;
	}
	if (t->out == 0) {
		to_unused(g, ti, "drained: no request in flight", now);
		return;
	}
	if (g->cfg->dereg_delay == 0) {
		lb_traffic_fail_target(g, ti, now);
		if (t->state == LB_T_DRAINING)
			to_unused(g, ti, "deregistration delay ended", now);
		return;
	}
	sim_at(lb->s, now + g->cfg->dereg_delay, lb->ev_drain, g, (uint64_t)ti | ((uint64_t)t->gen << 32));
}

void lb_target_dead(struct lb *lb, int tg, int ti, sim_time_t now)
{
	struct lb_tg *g = tg_of(lb, tg);

	lb_agg_advance(g, now);
	g->t[ti].dead = 1;
	lb_traffic_fail_target(g, ti, now);
	/* a draining target now holds nothing in flight: its drain ends now,
	 * not at the end of its deregistration delay (docs/ecs-model.md §6.3);
	 * in aggregate mode too, whose drains count no request cut */
	if (!(g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE))
		lb_target_idle(g, ti, now);
	else if (g->t[ti].state == LB_T_DRAINING)
		to_unused(g, ti, "drained: no request in flight", now);
}

void lb_az_state(struct lb *lb, const char *az, int up, sim_time_t now)
{
	for (int k = 0; k < lb->n_tg; k++) {
		struct lb_tg *g = &lb->tg[k];

		if (!g->lbc)
			continue;
		for (int n = 0; n < g->lbc->n_azs; n++) {
			if (strcmp(g->lbc->azs[n], az) != 0)
				continue;
			lb_agg_advance(g, now);
			g->node_up[n] = up;
			g->dirty = 1;
			if (up)
				continue;
			LB_EACH(g, i)
				if (g->t[i].az == n && !g->t[i].dead)
					lb_target_dead(lb, k, i, now);
		}
	}
}

void lb_target_release(struct lb *lb, int tg, int ti)
{
	struct lb_tg *g = tg_of(lb, tg);

	g->t[ti].released = 1;
	if (g->t[ti].state == LB_T_UNUSED)
		to_retire(g, ti);
}

int lb_target_slots(const struct lb *lb, int tg)
{
	return lb->tg[tg].nt;
}

enum lb_tstate lb_target_state(const struct lb *lb, int tg, int ti)
{
	return lb->tg[tg].t[ti].state;
}

int lb_target_outstanding(const struct lb *lb, int tg, int ti)
{
	return lb->tg[tg].t[ti].out;
}

uint64_t lb_target_received(const struct lb *lb, int tg, int ti)
{
	return lb->tg[tg].t[ti].received;
}

size_t lb_target_buffer_bytes(const struct lb *lb)
{
	size_t n = 0;

	for (int i = 0; i < lb->n_tg; i++) {
		const struct lb_tg *g = &lb->tg[i];

		n += g->capt * sizeof *g->t + g->cap_rdep * sizeof *g->rdep;
		for (int k = 0; k < g->nt; k++) {
			if (g->t[k].q)
				n += sizeof *g->t[k].q * (size_t)g->k;
			if (g->t[k].name)
				n += strlen(g->t[k].name) + 1;
		}
	}
	return n;
}

void lb_target_set_dep(struct lb *lb, int tg, int ti, int dep)
{
	struct lb_tg *g = tg_of(lb, tg);
	struct lb_tgt *t = &g->t[ti];
	int green = g->split && dep == g->green_dep;

	t->dep = dep;
	if (t->green != green && t->scope >= 0) {
		t->green = green;
		g->dirty = 1;
	}
}

void lb_tg_set_split(struct lb *lb, int tg, int green_dep, double w, sim_time_t now)
{
	struct lb_tg *g = tg_of(lb, tg);

	/* aggregate mode: the time so far at the old weights */
	if (g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE)
		lb_agg_advance(g, now);
	/* a retired target would change side as the others do (each of an
	 * enabled AZ is on the green side when its deployment is the green
	 * one): the routing sets are refreshed then as before */
	if ((g->split && retired_of_dep(g, g->green_dep) > 0 && green_dep != g->green_dep) ||
	    (green_dep >= 0 && retired_of_dep(g, green_dep) > 0 && !(g->split && g->green_dep == green_dep)))
		g->dirty = 1;
	g->split = green_dep >= 0;
	g->green_dep = green_dep;
	g->w_green = g->split ? w : 0;
	LB_EACH(g, i) {
		struct lb_tgt *t = &g->t[i];
		int green = g->split && t->dep == green_dep;

		if (t->green != green && t->scope >= 0) {
			t->green = green;
			g->dirty = 1;
		}
	}
}

void lb_tg_set_service(struct lb *lb, int tg, const char *service)
{
	free(lb->tg[tg].service);
	lb->tg[tg].service = xstrdup(service);
}

struct lb *lb_new(const struct lb_config *cfg, struct sim *s, struct rng_reg *rng,
		  sim_time_t interval, const struct lb_callbacks *cb)
{
	struct lb *lb = xcalloc(1, sizeof *lb);

	lb->cfg = cfg;
	lb->s = s;
	lb->rng = rng;
	if (cb)
		lb->cb = *cb;
	lb->interval = interval > 0 ? interval : 60000;
	lb->free_req = -1;
	lb->ev_hc = sim_on(s, "lb/health_check", on_hc, lb);
	lb->ev_drain = sim_on(s, "lb/drain_end", on_drain, lb);
	lb->n_tg = cfg->n_tgs;
	lb->tg = xcalloc((size_t)cfg->n_tgs + 1, sizeof *lb->tg);
	for (int k = 0; k < LB_GRID; k++)          /* 0.1 ms .. 10^7 ms, log spaced */
		lb->grid[k] = 0.1 * pow(10, 8.0 * k / (LB_GRID - 1));
	for (int i = 0; i < cfg->n_tgs; i++) {
		struct lb_tg *g = &lb->tg[i];
		const struct lb_tg_cfg *c = &cfg->tgs[i];
		char name[128];
		int agg = c->has_traffic && c->traffic.mode == LB_MODE_AGGREGATE;

		g->lb = lb;
		g->idx = i;
		g->cfg = c;
		g->lbc = c->lb >= 0 ? &cfg->lbs[c->lb] : NULL;
		g->cross = c->cross_zone >= 0 ? c->cross_zone : g->lbc ? g->lbc->cross_zone : 1;
		g->n_nodes = g->lbc ? g->lbc->n_azs : 1;
		g->node_up = xmalloc(sizeof *g->node_up * (size_t)g->n_nodes);
		g->node_ok = xmalloc(sizeof *g->node_ok * (size_t)g->n_nodes);
		for (int n = 0; n < g->n_nodes; n++)
			g->node_up[n] = 1;
		g->n_scopes = g->cross ? 1 : g->n_nodes;
		g->c = c->has_traffic ? c->traffic.workers : 1;
		g->k = c->has_traffic ? c->traffic.queue_limit : 0;
		g->mu = c->has_traffic ? 1 / dist_mean(&c->traffic.service) : 1;
		g->sc = xcalloc((size_t)g->n_scopes * 2, sizeof *g->sc);
		g->green_dep = -1;
		for (int k = 0; k < 2 * g->n_scopes; k++) {
			g->sc[k].nb = g->c + g->k + 1;
			g->sc[k].bhead = xmalloc(sizeof(int) * (size_t)g->sc[k].nb);
			g->sc[k].btail = xmalloc(sizeof(int) * (size_t)g->sc[k].nb);
		}
		g->dirty = 1;
		snprintf(name, sizeof name, "lb/%s", c->name);
		g->r = rng_stream(rng, name);
		lb_lat_init(&g->iv.lat, agg);
		lb_lat_init(&g->run.lat, agg);
		g->iv_az = xcalloc((size_t)g->n_nodes, sizeof *g->iv_az);
		for (int n = 0; n < g->n_nodes; n++)
			lb_lat_init(&g->iv_az[n].lat, agg);
		g->no_healthy_since = 0;
		g->ohead = g->otail = g->pend = g->free_t = -1;
	}
	lb_traffic_init(lb);
	return lb;
}

void lb_free(struct lb *lb)
{
	if (!lb)
		return;
	for (int i = 0; i < lb->n_tg; i++) {
		struct lb_tg *g = &lb->tg[i];

		for (int k = 0; k < g->nt; k++) {
			free(g->t[k].name);
			free(g->t[k].q);
		}
		free(g->t);
		free(g->rdep);
		for (int k = 0; k < 2 * g->n_scopes; k++) {
			free(g->sc[k].m);
			free(g->sc[k].bhead);
			free(g->sc[k].btail);
		}
		free(g->sc);
		free(g->node_up);
		free(g->node_ok);
		free(g->lam_tmp);
		if (g->cache)
			lb_traffic_free_cache(g);
		lb_lat_free(&g->iv.lat);
		lb_lat_free(&g->run.lat);
		for (int n = 0; n < g->n_nodes; n++)
			lb_lat_free(&g->iv_az[n].lat);
		free(g->iv_az);
		free(g->service);
		free(g->tmo);
		if (g->trace)
			lb_traffic_close_trace(g);
	}
	free(lb->tg);
	free(lb->heap);
	free(lb->nodes);
	free(lb->w_head);
	free(lb->w_tail);
	free(lb->w_bits);
	free(lb->req);
	csvout_abort(lb->out_req);
	csvout_abort(lb->out_tgt);
	free(lb->dir);
	free(lb);
}
