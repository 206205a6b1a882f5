/* models/lb/lb_metrics.c — what CloudWatch would read of a target group
 * and its targets each minute, for service auto scaling (models/lb/lb.h,
 * "read-only views"; docs/ecs-model.md §5.10). */
#include "models/lb/lb_int.h"

void lb_tg_now(struct lb *lb, int tg, sim_time_t now, struct lb_tg_now *out)
{
	struct lb_tg *g = &lb->tg[tg];

	int agg = g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE;

	lb_agg_advance(g, now);
	/* per request: the requests routed to a target (CloudWatch counts
	 * only requests for which a target was chosen); aggregate mode keeps
	 * no count per target: every arrival */
	out->arrivals = agg ? g->run.arrivals : (double)g->retired_received;
	out->healthy = out->unhealthy = out->registered = 0;
	LB_EACH(g, i) {
		enum lb_tstate s = g->t[i].state;

		if (!agg)
			out->arrivals += (double)g->t[i].received;

		out->healthy += s == LB_T_HEALTHY;
		out->unhealthy += s == LB_T_UNHEALTHY;
		out->registered += s == LB_T_HEALTHY || s == LB_T_INITIAL || s == LB_T_UNHEALTHY;
	}
}

void lb_target_load(struct lb *lb, int tg, int target, sim_time_t now, struct lb_target_load *out)
{
	struct lb_tg *g = &lb->tg[tg];
	const struct lb_tgt *t = &g->t[target];

	out->has_traffic = g->cfg->has_traffic;
	out->aggregate = g->cfg->has_traffic && g->cfg->traffic.mode == LB_MODE_AGGREGATE;
	if (out->aggregate)
		lb_agg_advance(g, now);
	out->received = (double)t->received;
	out->rate = out->aggregate && !t->dead ? t->lam : 0;
	out->mean_service_s = 1 / g->mu;
	out->workers = g->c;
}
