/* models/lb/lb_out.c — what the load-balancer world reports:
 * requests.csv (per metrics interval, target group and, with cross-zone
 * off, AZ), targets.csv (each target state change) and lb_summary.csv (per
 * target group, with the service that uses it), columns documented in
 * scenarios/README.md "Load balancers".  Written here through sim/csvout
 * (temp file, renamed at the end) until the metrics module takes them.
 *
 * Latency quantiles: per request, a histogram of integer milliseconds,
 * exact below 4.096 s and within 0.4% above, so memory does not grow with
 * the requests and adding a sample costs O(1); in aggregate mode, the
 * mixture of the M/M/c/K response-time tails on a log grid, interpolated. */
#include "lb_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mem.h"
#include "sim/sim.h"

void lb_lat_init(struct lb_lat *l, int aggregate)
{
	memset(l, 0, sizeof *l);
	if (aggregate)
		l->tail = xcalloc(LB_GRID, sizeof *l->tail);
	else
		l->h = xcalloc(LB_HIST_N, sizeof *l->h);
}

void lb_lat_free(struct lb_lat *l)
{
	free(l->h);
	free(l->tail);
	l->h = NULL;
	l->tail = NULL;
}

void lb_lat_reset(struct lb_lat *l)
{
	if (l->h)
		memset(l->h, 0, sizeof *l->h * LB_HIST_N);
	if (l->tail)
		memset(l->tail, 0, sizeof *l->tail * LB_GRID);
	l->n = 0;
	l->over_slo = 0;
}

static int bucket_of(int64_t v)
{
	int e, b;

	if (v < LB_HIST_EXACT)
		return v < 0 ? 0 : (int)v;
	e = 63 - __builtin_clzll((unsigned long long)v);     /* >= 12 */
	b = LB_HIST_EXACT + (e - 12) * LB_HIST_SUB + (int)((v >> (e - 8)) & (LB_HIST_SUB - 1));
	return b < LB_HIST_N ? b : LB_HIST_N - 1;
}

static double bucket_value(int b)
{
	int e, sub;

	if (b < LB_HIST_EXACT)
		return b;
	e = (b - LB_HIST_EXACT) / LB_HIST_SUB + 12;
	sub = (b - LB_HIST_EXACT) % LB_HIST_SUB;
	/* middle of [2^e + sub 2^(e-8), + 2^(e-8)) */
	return ldexp(1.0, e) + (sub + 0.5) * ldexp(1.0, e - 8);
}

void lb_lat_add_ms(struct lb_lat *l, int64_t ms)
{
	l->h[bucket_of(ms)]++;
	l->n++;
}

double lb_lat_quantile(const struct lb *lb, const struct lb_lat *l, double p)
{
	if (!(l->n > 0))
		return 0;
	if (l->h) {     /* nearest rank */
		double rank = ceil(p * l->n), cum = 0;

		if (rank < 1)
			rank = 1;
		for (int b = 0; b < LB_HIST_N; b++) {
			cum += l->h[b];
			if (cum >= rank)
				return bucket_value(b);
		}
		return bucket_value(LB_HIST_N - 1);
	}
	/* aggregate: first grid point with P(T > x) <= 1 - p, log-interpolated.
	 * When the served are those answered within the client timeout
	 * (docs/ecs-model.md choice E210), the timeout is one more point, where
	 * the tail is 0, so no quantile is above it. */
	for (int i = 0; i < LB_GRID; i++) {
		double q = l->tail[i] / l->n, xi = lb->grid[i];

		if (l->tmax_ms > 0 && xi > l->tmax_ms && (i == 0 || lb->grid[i - 1] < l->tmax_ms)) {
			xi = l->tmax_ms;
			q = 0;
		}
		if (q <= 1 - p) {
			double q0, x0, x1;

			if (i == 0)
				return xi;
			q0 = l->tail[i - 1] / l->n;
			x0 = log(lb->grid[i - 1]);
			x1 = log(xi);
			if (q0 - q <= 0)
				return xi;
			return exp(x0 + (x1 - x0) * (q0 - (1 - p)) / (q0 - q));
		}
	}
	return lb->grid[LB_GRID - 1];
}

/* --- targets.csv --- */

void lb_out_transition(struct lb *lb, struct lb_tg *g, int ti, enum lb_tstate from,
		       const char *reason, sim_time_t now)
{
	struct lb_tgt *t = &g->t[ti];
	struct csvout *o = lb->out_tgt;
	int first = !t->logged;

	t->logged = 1;
	if (!o)
		return;
	csvout_ms(o, now);
	csvout_str(o, g->cfg->name);
	csvout_str(o, t->name);
	csvout_str(o, t->az >= 0 ? g->lbc->azs[t->az] : "");
	csvout_str(o, first ? "" : lb_tstate_name(from));   /* empty at registration */
	csvout_str(o, lb_tstate_name(t->state));
	csvout_str(o, reason);
	csvout_endrow(o);
}

/* --- requests.csv --- */

static void num(struct csvout *o, double v, int aggregate)
{
	if (aggregate)
		csvout_fixed(o, v, 3);
	else
		csvout_int(o, (int64_t)llround(v));
}

/* The request counts of r, the served share (avail_decimals places) and
 * the latency mean and quantiles in ms (empty when nothing was served):
 * the columns requests.csv and lb_summary.csv share. */
static void counts_out(struct csvout *o, struct lb *lb, const struct lb_row *r, int agg,
		       int avail_decimals)
{
	double done = r->served + r->e502 + r->e503 + r->e504;

	num(o, r->arrivals, agg);
	num(o, r->served, agg);
	num(o, r->e502, agg);
	num(o, r->e503, agg);
	num(o, r->e504, agg);
	if (done > 0)
		csvout_fixed(o, 100 * r->served / done, avail_decimals);
	else
		csvout_empty(o);
	if (r->served > 0) {
		csvout_fixed(o, r->lat_sum / r->served, 3);
		csvout_fixed(o, lb_lat_quantile(lb, &r->lat, 0.50), 3);
		csvout_fixed(o, lb_lat_quantile(lb, &r->lat, 0.95), 3);
		csvout_fixed(o, lb_lat_quantile(lb, &r->lat, 0.99), 3);
	} else {
		for (int k = 0; k < 4; k++)
			csvout_empty(o);
	}
}

static void row_out(struct lb *lb, struct lb_tg *g, const struct lb_row *r, const char *az, int azi,
		    sim_time_t now)
{
	struct csvout *o = lb->out_req;
	int agg = g->cfg->traffic.mode == LB_MODE_AGGREGATE, h, u, in, d;

	lb_count_states(g, azi, &h, &u, &in, &d);
	csvout_ms(o, now);
	csvout_str(o, g->cfg->name);
	csvout_str(o, az);
	counts_out(o, lb, r, agg, 3);
	csvout_int(o, h);
	csvout_int(o, u);
	csvout_int(o, in);
	csvout_int(o, d);
	csvout_endrow(o);
}

static void row_reset(struct lb_row *r)
{
	struct lb_lat keep = r->lat;

	memset(r, 0, sizeof *r);
	r->lat = keep;
	lb_lat_reset(&r->lat);
}

static void close_interval(struct lb *lb, sim_time_t now)
{
	double failed = 0, arrivals = 0;

	for (int i = 0; i < lb->n_tg; i++) {
		struct lb_tg *g = &lb->tg[i];

		if (!g->cfg->has_traffic)
			continue;
		lb_agg_advance(g, now);
		if (lb->out_req) {
			row_out(lb, g, &g->iv, "", -1, now);
			for (int n = 0; !g->cross && n < g->n_nodes; n++)
				row_out(lb, g, &g->iv_az[n], g->lbc->azs[n], n, now);
		}
		failed += g->iv.e502 + g->iv.e503 + g->iv.e504;
		arrivals += g->iv.arrivals;
		if (lb->cb.on_interval_tg)
			lb->cb.on_interval_tg(lb->cb.ctx, lb->last_tick, now, i,
					      g->iv.e502 + g->iv.e503 + g->iv.e504);
		row_reset(&g->iv);
		for (int n = 0; n < g->n_nodes; n++)
			row_reset(&g->iv_az[n]);
	}
	if (lb->cb.on_interval)
		lb->cb.on_interval(lb->cb.ctx, now, arrivals, failed);
}

static void on_tick(struct sim *s, void *ctx, const struct event *ev)
{
	struct lb *lb = ctx;

	(void)ev;
	close_interval(lb, sim_now(s));
	lb->last_tick = sim_now(s);
	sim_at_last(s, sim_now(s) + lb->interval, lb->ev_tick, NULL, 0);
}

int lb_start(struct lb *lb, sim_time_t start, struct err *e)
{
	if (lb->started)
		return 0;
	lb->started = 1;
	lb->last_tick = start;
	lb->ev_tick = sim_on(lb->s, "lb/metrics", on_tick, lb);
	if (lb_traffic_start(lb, start, e))
		return -1;
	sim_at_last(lb->s, start + lb->interval, lb->ev_tick, NULL, 0);
	return 0;
}

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

int lb_open_outputs(struct lb *lb, const char *dir, struct err *e)
{
	static const char *const hreq[] = { "time_s", "target_group", "az", "arrivals", "served",
		"http_502", "http_503", "http_504", "availability_pct", "latency_mean_ms",
		"latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "healthy", "unhealthy",
		"initial", "draining" };
	static const char *const htgt[] = { "time_s", "target_group", "target", "az", "from", "to",
		"reason" };
	char *p;

	free(lb->dir);
	lb->dir = xstrdup(dir);
	p = join(dir, "requests.csv");
	lb->out_req = csvout_open(p, hreq, (int)(sizeof hreq / sizeof *hreq), e);
	free(p);
	if (!lb->out_req)
		return -1;
	if (lb->no_target_log)
		return 0;
	p = join(dir, "targets.csv");
	lb->out_tgt = csvout_open(p, htgt, (int)(sizeof htgt / sizeof *htgt), e);
	free(p);
	return lb->out_tgt ? 0 : -1;
}

void lb_set_target_log(struct lb *lb, int on)
{
	lb->no_target_log = !on;
}

void lb_tg_counts(const struct lb *lb, int tg, struct lb_counts *out)
{
	const struct lb_row *r = &lb->tg[tg].run;

	out->arrivals = r->arrivals;
	out->served = r->served;
	out->e502 = r->e502;
	out->e503 = r->e503;
	out->e504 = r->e504;
	out->latency_sum_ms = r->lat_sum;
	out->wait_sum_ms = r->wait_sum;
	out->waited = r->waited;
}

static int write_summary(struct lb *lb, sim_time_t end, struct err *e)
{
	static const char *const h[] = { "service", "target_group", "mode", "arrivals", "served",
		"http_502", "http_503", "http_504", "availability_pct", "latency_mean_ms",
		"latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "no_healthy_target_s",
		"slo_availability_pct", "availability_budget_used_pct", "slo_latency_p99_ms",
		"latency_budget_used_pct" };
	char *p = join(lb->dir, "lb_summary.csv");
	struct csvout *o = csvout_open(p, h, (int)(sizeof h / sizeof *h), e);

	free(p);
	if (!o)
		return -1;
	for (int i = 0; i < lb->n_tg; i++) {
		struct lb_tg *g = &lb->tg[i];
		const struct lb_row *r = &g->run;
		int agg = g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE;
		double done = r->served + r->e502 + r->e503 + r->e504;
		sim_time_t noh = g->no_healthy + (g->no_healthy_since >= 0 ? end - g->no_healthy_since : 0);

		csvout_str(o, g->service ? g->service : "");
		csvout_str(o, g->cfg->name);
		csvout_str(o, !g->cfg->has_traffic ? "" : agg ? "aggregate" : "perRequest");
		counts_out(o, lb, r, agg, 4);
		csvout_ms(o, noh);
		if (g->cfg->has_slo && g->cfg->slo_avail_pct > 0 && done > 0) {
			csvout_fixed(o, g->cfg->slo_avail_pct, 4);
			csvout_fixed(o, 100 * (1 - r->served / done) / (1 - g->cfg->slo_avail_pct / 100), 3);
		} else {
			csvout_empty(o);
			csvout_empty(o);
		}
		if (g->cfg->has_slo && g->cfg->slo_p99_ms > 0 && r->served > 0) {
			csvout_fixed(o, g->cfg->slo_p99_ms, 3);
			/* budget: 1% of served requests may be slower */
			csvout_fixed(o, 100 * (r->lat.over_slo / r->served) / 0.01, 3);
		} else {
			csvout_empty(o);
			csvout_empty(o);
		}
		csvout_endrow(o);
	}
	return csvout_close(o, e);
}

int lb_close(struct lb *lb, sim_time_t end, struct err *e)
{
	int rc = 0;

	if (lb->started && end > lb->last_tick)
		close_interval(lb, end);
	else
		for (int i = 0; i < lb->n_tg; i++)
			lb_agg_advance(&lb->tg[i], end);
	if (lb->trace_err.set) {
		*e = lb->trace_err;
		return -1;
	}
	if (lb->out_req) {
		rc = csvout_close(lb->out_req, e);
		lb->out_req = NULL;
		if (rc == 0 && lb->out_tgt) {
			rc = csvout_close(lb->out_tgt, e);
			lb->out_tgt = NULL;
		}
		if (rc == 0)
			rc = write_summary(lb, end, e);
	}
	return rc;
}
