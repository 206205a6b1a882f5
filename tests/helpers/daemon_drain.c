/* tests/helpers/daemon_drain.c — see daemon_drain.h. */
#include "daemon_drain.h"

#include <stdio.h>

#include "models/backplane_int.h"
#include "models/cluster.h"
#include "models/service_int.h"

static int is_daemon_task(const struct backplane *bp, const struct task *t)
{
	return t->svc >= 0 && svc_sched(bp)->svcs[t->svc].cfg->sched == SCHED_DAEMON;
}

void drain_observe(struct backplane *bp, void *ctx)
{
	struct drain_check *c = ctx;

	c->samples++;
	for (int32_t i = 0; i < cluster_count(bp->cl); i++) {
		int others = 0, daemon_stopping = 0;
		int64_t hc, hm;
		int he;

		if (cluster_status(bp->cl, i) == INST_ACTIVE)
			continue;
		cluster_held(bp->cl, i, &hc, &hm, &he);
		c->held_off_active += hc != 0 || hm != 0 || he != 0;
		if (cluster_status(bp->cl, i) != INST_DRAINING)
			continue;
		for (size_t k = 0; k < bp->n_tasks; k++) {
			const struct task *t = &bp->tasks[k];

			if (!t->used || t->queued || t->inst != i || t->state == TS_STOPPED)
				continue;
			if (!is_daemon_task(bp, t))
				others++;
			else if (t->desired == TD_STOPPED)
				daemon_stopping++;
		}
		c->daemon_stops_seen += daemon_stopping > 0;
		if (daemon_stopping && others) {
			if (!c->violations) {
				snprintf(c->where, sizeof c->where, "%s", cluster_id(bp->cl, i));
				c->when = (double)sim_now(bp->sim) / 1000.0;
			}
			c->violations++;
		}
	}
}
